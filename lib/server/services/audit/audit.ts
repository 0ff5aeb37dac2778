import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { asc, desc, eq, gt, lte, max, sql } from "drizzle-orm";
import { canonicalJson } from "@/lib/server/crypto/canonical-json";
import { auditCheckpoints, auditEvents, users } from "@/lib/server/db/schema";
import type { Db, Tx } from "@/lib/server/db/types";
import { type ServiceContext, assertCan } from "@/lib/server/kernel";

export const GENESIS_HASH = "0".repeat(64);
/** Key of the transaction-scoped advisory lock that serialises appends to the chain. */
const AUDIT_CHAIN_LOCK = 727274002;

export type AuditEventInput = {
  action: string;
  entityType?: string | null;
  entityId?: string | null;
  data?: Record<string, unknown>;
  /** Overrides the context's actor, e.g. a failed login for an unknown account. */
  actor?: { id: string | null; label: string };
};

export type AuditRequestMeta = {
  actor: { id: string | null; label: string };
  now: Date;
  requestId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
};

type HashedFields = {
  id: string;
  occurredAt: Date;
  actorId: string | null;
  actorLabel: string;
  action: string;
  entityType: string | null;
  entityId: string | null;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
  data: Record<string, unknown>;
};

/** SHA-256 over the previous hash and a canonical serialisation of the row. */
export function hashAuditRow(prevHash: string, row: HashedFields): string {
  const body = canonicalJson({
    action: row.action,
    actorId: row.actorId,
    actorLabel: row.actorLabel,
    data: row.data,
    entityId: row.entityId,
    entityType: row.entityType,
    id: row.id,
    ip: row.ip,
    occurredAt: row.occurredAt.toISOString(),
    requestId: row.requestId,
    userAgent: row.userAgent,
  });
  return createHash("sha256").update(prevHash).update("\n").update(body).digest("hex");
}

/**
 * Appends one event inside the caller's transaction. The advisory lock is held until that
 * transaction ends, so concurrent writers queue and the chain never forks.
 */
export async function recordAudit(tx: Tx, meta: AuditRequestMeta, event: AuditEventInput): Promise<string> {
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
  const [last] = await tx
    .select({ hash: auditEvents.hash })
    .from(auditEvents)
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  const prevHash = last?.hash ?? GENESIS_HASH;
  const actor = event.actor ?? meta.actor;
  const row: HashedFields = {
    id: randomUUID(),
    occurredAt: new Date(Math.floor(meta.now.getTime())),
    actorId: actor.id,
    actorLabel: actor.label,
    action: event.action,
    entityType: event.entityType ?? null,
    entityId: event.entityId ?? null,
    requestId: meta.requestId ?? null,
    ip: meta.ip ?? null,
    userAgent: meta.userAgent ? meta.userAgent.slice(0, 512) : null,
    data: JSON.parse(canonicalJson(event.data ?? {})) as Record<string, unknown>,
  };
  const hash = hashAuditRow(prevHash, row);
  await tx.insert(auditEvents).values({ ...row, prevHash, hash });
  return row.id;
}

/** Convenience for a service: the context's request metadata. */
export function auditMeta(ctx: ServiceContext): AuditRequestMeta {
  return {
    actor: ctx.actor ? { id: ctx.actor.id, label: ctx.actor.email } : { id: null, label: "system" },
    now: ctx.now(),
    requestId: ctx.requestId,
    ip: ctx.ip,
    userAgent: ctx.userAgent,
  };
}

export type VerifyMode = "incremental" | "full";

export type ChainFailure = { seq: number; id: string; reason: "altered" | "broken_link" };

export type ChainVerification = {
  mode: VerifyMode;
  /** The walk started after this seq (0: from the genesis). */
  startedAfterSeq: number;
  durationMs: number;
} & (
  | { ok: true; checked: number; lastSeq: number | null; lastHash: string | null }
  | { ok: false; checked: number; firstBad: ChainFailure; message: string }
);

type WalkResult = {
  checked: number;
  /** The last row that verified (the anchor when no row did). */
  lastSeq: number;
  lastHash: string;
  failure: { firstBad: ChainFailure; message: string } | null;
};

/** Walks the rows after `afterSeq` in `seq` order, in keyset batches, from `prevHash`. */
async function walkChain(db: Db, afterSeq: number, prevHash: string, batchSize: number): Promise<WalkResult> {
  let checked = 0;
  let lastSeq = afterSeq;
  let cursor = afterSeq;
  for (;;) {
    const rows = await db
      .select()
      .from(auditEvents)
      .where(gt(auditEvents.seq, cursor))
      .orderBy(asc(auditEvents.seq))
      .limit(batchSize);
    for (const row of rows) {
      if (row.prevHash !== prevHash) {
        return {
          checked,
          lastSeq,
          lastHash: prevHash,
          failure: {
            firstBad: { seq: row.seq, id: row.id, reason: "broken_link" },
            message: `Chain broken at seq ${row.seq} (id ${row.id}): its prev_hash does not match the row before it, so a row before it is missing or was altered.`,
          },
        };
      }
      if (hashAuditRow(prevHash, row) !== row.hash) {
        return {
          checked,
          lastSeq,
          lastHash: prevHash,
          failure: {
            firstBad: { seq: row.seq, id: row.id, reason: "altered" },
            message: `Row seq ${row.seq} (id ${row.id}) was altered: its content no longer matches its hash.`,
          },
        };
      }
      prevHash = row.hash;
      lastSeq = row.seq;
      checked++;
    }
    if (rows.length < batchSize) break;
    cursor = rows[rows.length - 1]!.seq;
  }
  return { checked, lastSeq, lastHash: prevHash, failure: null };
}

type Checkpoint = typeof auditCheckpoints.$inferSelect;

async function latestCheckpoint(db: Db): Promise<Checkpoint | null> {
  const [row] = await db
    .select()
    .from(auditCheckpoints)
    .orderBy(desc(auditCheckpoints.verifiedAt), desc(auditCheckpoints.verifiedThroughSeq))
    .limit(1);
  return row ?? null;
}

/**
 * The checkpoint's own row must still be there with the hash it had, hash to it, and link to the
 * row before it: a checkpointed row altered later would otherwise hide behind the checkpoint.
 */
async function checkAnchor(db: Db, cp: Checkpoint): Promise<WalkResult["failure"]> {
  if (cp.verifiedThroughSeq === 0) return null;
  const rows = await db
    .select()
    .from(auditEvents)
    .where(lte(auditEvents.seq, cp.verifiedThroughSeq))
    .orderBy(desc(auditEvents.seq))
    .limit(2);
  const anchor = rows[0];
  if (!anchor || anchor.seq !== cp.verifiedThroughSeq) {
    const next = await db
      .select({ seq: auditEvents.seq, id: auditEvents.id })
      .from(auditEvents)
      .where(gt(auditEvents.seq, cp.verifiedThroughSeq))
      .orderBy(asc(auditEvents.seq))
      .limit(1);
    return {
      firstBad: { seq: next[0]?.seq ?? cp.verifiedThroughSeq, id: next[0]?.id ?? "", reason: "broken_link" },
      message: `The last verified row (seq ${cp.verifiedThroughSeq}) is missing: the chain was cut after it was verified.`,
    };
  }
  const prevHash = rows[1]?.hash ?? GENESIS_HASH;
  if (
    anchor.hash !== cp.lastHash ||
    anchor.prevHash !== prevHash ||
    hashAuditRow(prevHash, anchor) !== anchor.hash
  ) {
    return {
      firstBad: { seq: anchor.seq, id: anchor.id, reason: "altered" },
      message: `Row seq ${anchor.seq} (id ${anchor.id}), the last verified one, was altered after it was verified.`,
    };
  }
  return null;
}

export type VerifyOptions = {
  /** `full` walks from the genesis; `incremental` (default) from the newest checkpoint. */
  mode?: VerifyMode;
  /** When set, the verification is remembered as a checkpoint by this user (null: the system). */
  record?: { actorId: string | null; now: Date };
  batchSize?: number;
};

/**
 * Verifies the chain and names the first altered or missing row. Incremental resumes after the
 * newest checkpoint (after a failed one, at its bad row, so a break stays reported until repaired).
 * With `record`, a checkpoint row is written whatever the outcome; without, nothing is written.
 */
export async function verifyAuditChain(db: Db, options: VerifyOptions = {}): Promise<ChainVerification> {
  const { result, checkpoint } = await verifyWalk(db, options.mode ?? "full", options.batchSize ?? 2000);
  if (options.record) {
    await db
      .insert(auditCheckpoints)
      .values({ ...checkpoint, verifiedBy: options.record.actorId, verifiedAt: options.record.now });
  }
  return result;
}

type CheckpointValues = Omit<typeof auditCheckpoints.$inferInsert, "id" | "verifiedBy" | "verifiedAt">;

async function verifyWalk(
  db: Db,
  mode: VerifyMode,
  batchSize: number,
): Promise<{ result: ChainVerification; checkpoint: CheckpointValues }> {
  const started = performance.now();
  const cp = mode === "incremental" ? await latestCheckpoint(db) : null;
  const startedAfterSeq = cp?.verifiedThroughSeq ?? 0;
  const anchorFailure = cp ? await checkAnchor(db, cp) : null;
  const walk: WalkResult = anchorFailure
    ? { checked: 0, lastSeq: 0, lastHash: GENESIS_HASH, failure: anchorFailure }
    : await walkChain(db, startedAfterSeq, cp?.lastHash ?? GENESIS_HASH, batchSize);
  const durationMs = Math.round(performance.now() - started);
  const checkpoint: CheckpointValues = {
    verifiedThroughSeq: walk.lastSeq,
    lastHash: walk.lastHash,
    full: mode === "full",
    ok: !walk.failure,
    checked: walk.checked,
    firstBadSeq: walk.failure?.firstBad.seq ?? null,
    failureReason: walk.failure ? walk.failure.message : null,
    durationMs,
  };
  const base = { mode, startedAfterSeq, durationMs, checked: walk.checked };
  if (walk.failure) return { result: { ...base, ok: false, ...walk.failure }, checkpoint };
  return {
    result: {
      ...base,
      ok: true,
      lastSeq: walk.lastSeq === 0 ? null : walk.lastSeq,
      lastHash: walk.lastSeq === 0 ? null : walk.lastHash,
    },
    checkpoint,
  };
}

export type AuditCheckpointDto = {
  verifiedThroughSeq: number;
  full: boolean;
  ok: boolean;
  checked: number;
  firstBadSeq: number | null;
  failureReason: string | null;
  durationMs: number;
  verifiedAt: string;
  verifiedBy: { id: string; email: string; name: string } | null;
};

export type AuditChainState = ChainVerification & {
  /** The newest checkpoint, or null when the chain was never verified by a user. */
  checkpoint: AuditCheckpointDto | null;
  /** The newest row's seq (0: no rows). */
  headSeq: number;
};

/**
 * The page's chain state, read-only: the newest checkpoint and an incremental walk of the rows
 * after it (nothing is written, so a GET stays free of side effects).
 */
export async function getAuditChainState(ctx: ServiceContext): Promise<AuditChainState> {
  assertCan(ctx, "audit.verify");
  const verification = await verifyAuditChain(ctx.db, { mode: "incremental" });
  const [cp] = await ctx.db
    .select({ cp: auditCheckpoints, email: users.email, name: users.name })
    .from(auditCheckpoints)
    .leftJoin(users, eq(users.id, auditCheckpoints.verifiedBy))
    .orderBy(desc(auditCheckpoints.verifiedAt), desc(auditCheckpoints.verifiedThroughSeq))
    .limit(1);
  const [head] = await ctx.db.select({ seq: max(auditEvents.seq) }).from(auditEvents);
  return {
    ...verification,
    headSeq: Number(head?.seq ?? 0),
    checkpoint: cp
      ? {
          verifiedThroughSeq: cp.cp.verifiedThroughSeq,
          full: cp.cp.full,
          ok: cp.cp.ok,
          checked: cp.cp.checked,
          firstBadSeq: cp.cp.firstBadSeq,
          failureReason: cp.cp.failureReason,
          durationMs: cp.cp.durationMs,
          verifiedAt: cp.cp.verifiedAt.toISOString(),
          verifiedBy:
            cp.cp.verifiedBy && cp.email
              ? { id: cp.cp.verifiedBy, email: cp.email, name: cp.name ?? cp.email }
              : null,
        }
      : null,
  };
}

/**
 * A user's verification: walks (incremental or full), writes the checkpoint and the
 * `audit.verified` event in one transaction. The event joins the chain: the next walk checks it.
 */
export async function runAuditVerification(
  ctx: ServiceContext,
  input: { mode: VerifyMode },
): Promise<ChainVerification> {
  assertCan(ctx, "audit.verify");
  // The walk reads outside the transaction (it may take seconds); the checkpoint and its event
  // are written together.
  const { result, checkpoint } = await verifyWalk(ctx.db, input.mode, 2000);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    await tx.insert(auditCheckpoints).values({ ...checkpoint, verifiedBy: ctx.actor!.id, verifiedAt: now });
    await recordAudit(tx, auditMeta(ctx), {
      action: "audit.verified",
      entityType: "audit_chain",
      data: {
        mode: input.mode,
        ok: result.ok,
        checked: result.checked,
        startedAfterSeq: result.startedAfterSeq,
        ...(result.ok ? { verifiedThroughSeq: result.lastSeq ?? 0 } : { firstBadSeq: result.firstBad.seq }),
      },
    });
    return result;
  });
}
