import "server-only";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { CreateErasureInput, ErasureDiditOutcome, ErasureRequestDto } from "@/lib/schemas/erasure";
import { connectedApplications, erasureRequests } from "@/lib/server/db/schema";
import { rowsOf, type DbOrTx } from "@/lib/server/db/types";
import type { DiditClient } from "@/lib/server/didit/types";
import { AppError, type ServiceContext, type ServiceDeps, assertCan, diditOf } from "@/lib/server/kernel";
import { getLogger } from "@/lib/server/logger";
import { auditMeta, recordAudit, type AuditRequestMeta } from "@/lib/server/services/audit";
import { raiseRecall } from "@/lib/server/services/recalls";
import { eraseCopies, removedFieldsHash } from "./erasure-copies";
import { getErasureRequest } from "./erasure-reads";
import { invalidateReviewDecisions } from "@/lib/server/services/reviews";

/**
 * Erasure of one session at an admin's request, in order and idempotently:
 * 1. an `erasure_requests` row (running), audited `erasure.requested` (ids and the reason);
 * 2. when asked, Didit's delete with the owning application's key (404: already gone; a timeout or
 *    5xx is tried once more, then the request ends `failed` while our copies are still erased);
 * 3. our copies: the session's mirror rows redacted as retention does, inbox items of it stripped of
 *    manifest and sealed token, its pending shares revoked with their tokens destroyed, the review
 *    page's cached decisions of it dropped;
 * 4. a recall to every partner it was shared with;
 * 5. a SHA-256 over the removed personal fields, the counts, the state; `erasure.completed` audits
 *    ids, counts and the hash only — never a name — so the chain still verifies and proves what went.
 * A request found `running` (an earlier attempt stopped half-way) is resumed rather than repeated.
 */

type ErasureRow = typeof erasureRequests.$inferSelect;

/** What partners are told (no personal data). */
const RECALL_REASON =
  "The source session was erased at the sender's request: its verification can no longer be relied on.";

const UNKNOWN_SESSION =
  "No session with this id is known to our applications (no mirror row, share, inbox item or import names it).";

/** Didit failures worth one more try: the delete is idempotent (a 404 after it is success). */
const TRANSIENT = new Set(["upstream_timeout", "upstream_unavailable", "upstream_error", "rate_limited"]);

type Candidate = {
  applicationId: string;
  applicationName: string;
  /** The session lives in this application at Didit (mirror, our share of it, our clone). */
  held: boolean;
  apiKeyCiphertext: string | null;
  deleted: boolean;
  status: string | null;
};

/** Every application of ours that names the session, with whether it holds it at Didit. */
async function candidatesOf(db: DbOrTx, sessionId: string): Promise<Candidate[]> {
  const list = rowsOf<{ application_id: string; held: boolean; status: string | null }>(
    await db.execute(sql`
    select c.application_id::text as application_id, bool_or(c.held) as held,
           (array_agg(c.status order by c.rank) filter (where c.status is not null))[1] as status
      from (
        select application_id, true as held, status, 1 as rank from session_mirror where didit_session_id = ${sessionId}::uuid
        union all
        select application_id, true, source_status, 2 from shares where session_id = ${sessionId}::uuid
        union all
        select application_id, true, status, 3 from imports where clone_session_id = ${sessionId}::uuid
        union all
        select application_id, false, null, 4 from inbox_items where source_session_id = ${sessionId}::uuid
        union all
        select application_id, false, null, 5 from imports where source_session_id = ${sessionId}::uuid
      ) c
     group by c.application_id`),
  );
  if (list.length === 0) return [];
  const apps = await db
    .select()
    .from(connectedApplications)
    .where(
      inArray(
        connectedApplications.id,
        list.map((r) => r.application_id),
      ),
    );
  const byId = new Map(apps.map((a) => [a.id, a]));
  return list
    .filter((r) => byId.has(r.application_id))
    .map((r) => {
      const app = byId.get(r.application_id)!;
      return {
        applicationId: app.id,
        applicationName: app.name,
        held: r.held === true,
        apiKeyCiphertext: app.apiKeyCiphertext,
        deleted: app.deletedAt !== null,
        status: r.status,
      };
    });
}

/** The application an erasure is about: the one named, else the one holding it, else the only one. */
function pickTarget(candidates: Candidate[], applicationId: string | undefined): Candidate {
  if (candidates.length === 0) throw new AppError("not_found", UNKNOWN_SESSION);
  if (applicationId) {
    const named = candidates.find((c) => c.applicationId === applicationId);
    if (!named) {
      throw new AppError("not_found", "This session is not known to that application: pick another one.", {
        candidates: candidates.map((c) => ({
          applicationId: c.applicationId,
          applicationName: c.applicationName,
        })),
      });
    }
    return named;
  }
  const held = candidates.filter((c) => c.held);
  const pool = held.length > 0 ? held : candidates;
  if (pool.length === 1) return pool[0]!;
  throw new AppError(
    "conflict",
    "This session is known to several of our applications: choose which one with applicationId.",
    { candidates: pool.map((c) => ({ applicationId: c.applicationId, applicationName: c.applicationName })) },
  );
}

function describeDiditError(error: unknown): string {
  if (error instanceof AppError) return error.message.slice(0, 500);
  getLogger()
    .child({ component: "erasure" })
    .error({ err: error instanceof Error ? error.message : String(error) }, "unexpected Didit delete error");
  return "An unexpected error happened while asking Didit to delete the session (see the server log).";
}

/** Didit's delete: once, and once more on a transient failure. Never throws. */
async function deleteAtDidit(
  client: DiditClient,
  caller: { id: string; apiKeyCiphertext: string },
  sessionId: string,
): Promise<{ outcome: ErasureDiditOutcome; error: string | null }> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.deleteSession(caller, sessionId);
      return { outcome: "deleted", error: null };
    } catch (error) {
      if (error instanceof AppError && error.code === "not_found")
        return { outcome: "not_found", error: null };
      if (attempt < 2 && error instanceof AppError && TRANSIENT.has(error.code)) continue;
      return {
        outcome: "failed",
        error: `Didit did not delete the session: ${describeDiditError(error)} Our copies were erased; request the erasure again to retry the Didit delete.`,
      };
    }
  }
}

/** `POST /api/erasure`: the whole erasure, answered once finished (201 with the request). */
export async function requestErasure(
  ctx: ServiceContext,
  input: CreateErasureInput,
  deps: ServiceDeps = {},
): Promise<ErasureRequestDto> {
  assertCan(ctx, "erasure.request");
  const target = await checkedTarget(ctx.db, input);
  // 1. The request (or the running one, resumed).
  const request = await openRequest(ctx, input, target);
  // 2. Didit.
  let didit: DiditResult = { outcome: "skipped", error: null };
  if (request.deleteAtDidit && target.apiKeyCiphertext) {
    didit = await deleteAtDidit(
      diditOf(deps),
      { id: target.applicationId, apiKeyCiphertext: target.apiKeyCiphertext },
      request.sessionId,
    );
  }
  // 3–5. Our copies, the recall, the hash, in one transaction with the closing audit event.
  await finishRequest(ctx, request, target, didit);
  invalidateReviewDecisions({ sessionId: request.sessionId });
  return getErasureRequest(ctx, request.id);
}

type DiditResult = { outcome: ErasureDiditOutcome; error: string | null };

/** The confirmation, and the application the erasure is about (able to ask Didit, when asked to). */
async function checkedTarget(db: DbOrTx, input: CreateErasureInput): Promise<Candidate> {
  if (input.confirm !== input.sessionId) {
    throw new AppError(
      "bad_request",
      "The confirmation does not match the session id: type the same uuid again.",
      {
        fields: { confirm: ["Type the same session uuid again"] },
      },
    );
  }
  const target = pickTarget(await candidatesOf(db, input.sessionId), input.applicationId);
  if (input.deleteAtDidit && !target.held) {
    throw new AppError(
      "conflict",
      "This session lives in a partner's Didit application, not ours: only the partner can delete it at Didit. Erase our copies without the Didit delete.",
    );
  }
  if (input.deleteAtDidit && (target.deleted || !target.apiKeyCiphertext)) {
    throw new AppError(
      "conflict",
      `${target.applicationName} has no API key any more, so Didit cannot be asked to delete the session: erase our copies without the Didit delete.`,
    );
  }
  return target;
}

/** Step 1: the request row, audited `erasure.requested`; a running one (stopped half-way) is resumed. */
async function openRequest(
  ctx: ServiceContext,
  input: CreateErasureInput,
  target: Candidate,
): Promise<ErasureRow> {
  const actor = ctx.actor!;
  const meta = auditMeta(ctx);
  return ctx.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`erasure:${input.sessionId}`}))`);
    const [previous] = await tx
      .select()
      .from(erasureRequests)
      .where(
        and(
          eq(erasureRequests.sessionId, input.sessionId),
          eq(erasureRequests.applicationId, target.applicationId),
          inArray(erasureRequests.state, ["running", "done"]),
        ),
      )
      .orderBy(desc(erasureRequests.requestedAt))
      .limit(1);
    if (previous?.state === "running") return previous;
    if (previous?.state === "done" && (previous.deleteAtDidit || !input.deleteAtDidit)) {
      throw new AppError(
        "conflict",
        `This session was already erased (request ${previous.id}, ${previous.requestedAt.toISOString()}).`,
        { erasureRequestId: previous.id },
      );
    }
    const [row] = await tx
      .insert(erasureRequests)
      .values({
        applicationId: target.applicationId,
        sessionId: input.sessionId,
        reason: input.reason,
        deleteAtDidit: input.deleteAtDidit,
        state: "running",
        requestedBy: actor.id,
        requestedAt: meta.now,
      })
      .returning();
    await recordAudit(tx, meta, {
      action: "erasure.requested",
      entityType: "erasure_request",
      entityId: row!.id,
      data: {
        sessionId: input.sessionId,
        applicationId: target.applicationId,
        deleteAtDidit: input.deleteAtDidit,
        reason: input.reason,
      },
    });
    return row!;
  });
}

/** Steps 3–5: the recall, our copies, the hash and the closing audit event, in one transaction. */
async function finishRequest(
  ctx: ServiceContext,
  request: ErasureRow,
  target: Candidate,
  didit: DiditResult,
): Promise<void> {
  const actor = ctx.actor!;
  const diditGone = didit.outcome === "deleted" || didit.outcome === "not_found";
  const meta = auditMeta(ctx);
  const now = ctx.now();
  const finalMeta: AuditRequestMeta = { ...meta, now };
  await ctx.db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(erasureRequests)
      .where(eq(erasureRequests.id, request.id))
      .for("update");
    if (!current || current.state !== "running") return; // finished by a concurrent attempt
    // 4 before 3 in the same transaction: a share still pending (a push under way) is told too.
    const recall = await raiseRecall(tx, finalMeta, {
      applicationId: current.applicationId,
      sessionId: current.sessionId,
      trigger: "erased",
      fromStatus: target.status,
      toStatus: null,
      source: "erasure",
      raisedBy: actor.id,
      reason: RECALL_REASON,
    });
    const recallId = recall?.recallId ?? null;
    const { counts, removed, revokedShareIds } = await eraseCopies(tx, current, actor.id, diditGone, now);
    const removedSha256 = removedFieldsHash(current.sessionId, removed);
    const state = didit.outcome === "failed" ? "failed" : "done";
    await tx
      .update(erasureRequests)
      .set({
        state,
        diditOutcome: didit.outcome,
        diditError: didit.error,
        counts,
        removedSha256,
        recallId,
        finishedAt: now,
      })
      .where(eq(erasureRequests.id, current.id));
    await recordAudit(tx, finalMeta, {
      action: state === "done" ? "erasure.completed" : "erasure.failed",
      entityType: "erasure_request",
      entityId: current.id,
      data: {
        sessionId: current.sessionId,
        applicationId: current.applicationId,
        diditOutcome: didit.outcome,
        counts,
        removedSha256,
        recallId,
        revokedShareIds,
      },
    });
  });
}
