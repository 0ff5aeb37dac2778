import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq, inArray, ne } from "drizzle-orm";
import { type CreateImportRequest, type ImportDto, VENDOR_DATA_MAX } from "@/lib/schemas/imports";
import { renderVendorDataTemplate } from "@/lib/schemas/partners";
import { open } from "@/lib/server/crypto/envelope";
import {
  connectedApplications,
  imports,
  inboxItems,
  partners,
  users,
  type ImportPolicy,
} from "@/lib/server/db/schema";
import type { DbOrTx, Tx } from "@/lib/server/db/types";
import { DiditError, getDiditClient } from "@/lib/server/didit";
import type { DiditCaller, DiditClient, ImportResult } from "@/lib/server/didit/types";
import { AppError, type ErrorCode, type ServiceContext, assertCan } from "@/lib/server/kernel";
import { enqueue, registerHandler, type JobContext } from "@/lib/server/jobs";
import { getLogger } from "@/lib/server/logger";
import { auditMeta, recordAudit, type AuditRequestMeta } from "@/lib/server/services/audit";
import { queueOutboundReceipt, receiptOnOwnShare } from "./outbound-receipts";
import { recallLateImport } from "@/lib/server/services/recalls";
import { evaluateImportPolicy } from "@/lib/server/services/partners";
import { upsertMirrorClone } from "@/lib/server/services/sessions";

/**
 * Import, exactly once (we are Service Y). A short transaction row-locks the inbox item, refuses
 * unless it is pending (409 naming the import held), writes the import in state `importing` and the
 * item `importing`, and commits; only then is Didit called, once, never retried; a second
 * transaction records the clone (mirror row with its lineage, token destroyed, audit) or the
 * refusal. A lost answer is never retried blindly: the import's vendor_data (always sent) finds the
 * clone by listing sessions and matching `shared_from_session`; a job does the same for an import
 * left `importing` by a crash between the two transactions.
 */

export const RECONCILE_QUEUE = "imports.reconcile";
/** A partner whose import policy is `auto`: its items are imported on arrival by this job. */
export const AUTO_IMPORT_QUEUE = "imports.auto";
/** Well past the Didit client's timeout: an import still `importing` by then lost its answer. */
export const RECONCILE_AFTER_MS = 2 * 60_000;
/** Sessions with one vendor_data whose decision is fetched when looking for a lost clone. */
const RECONCILE_CANDIDATES = 50;

type ImportRow = typeof imports.$inferSelect;
type ItemRow = typeof inboxItems.$inferSelect;
type PartnerRow = typeof partners.$inferSelect;
type ApplicationRow = typeof connectedApplications.$inferSelect;

export type ImportDeps = { didit?: DiditClient };

/** Who starts an import: an officer (ctx.actor) or a partner's policy on arrival. */
type Initiator = { userId: string; policy: null } | { userId: null; policy: ImportPolicy };

/** Refusals after which the token can never be redeemed: the item fails and its token is destroyed. */
const TERMINAL = new Set<string>([
  "token_expired",
  "token_invalid",
  "token_not_for_us",
  "already_imported",
  "source_deleted",
]);

const KIND_LABEL = { user: "KYC", business: "KYB" } as const;

// --- DTO -----------------------------------------------------------------------------------------

function selectJoined(db: ServiceContext["db"] | Tx) {
  return db
    .select({
      row: imports,
      applicationName: connectedApplications.name,
      partnerName: partners.name,
      userId: users.id,
      userName: users.name,
      userEmail: users.email,
    })
    .from(imports)
    .innerJoin(connectedApplications, eq(connectedApplications.id, imports.applicationId))
    .innerJoin(partners, eq(partners.id, imports.partnerId))
    .leftJoin(users, eq(users.id, imports.importedBy));
}
type Joined = Awaited<ReturnType<ReturnType<typeof selectJoined>["limit"]>>[number];
/** What `toImportDto` maps: the import row, its application's and partner's names, who imported it. */
export type ImportJoinedRow = Joined;

/** The one mapping from an import row (with its names) to the DTO (the review queue reuses it). */
export function toImportDto(j: Joined): ImportDto {
  const r = j.row;
  return {
    id: r.id,
    inboxItemId: r.inboxItemId,
    applicationId: r.applicationId,
    applicationName: j.applicationName,
    partnerId: r.partnerId,
    partnerName: j.partnerName,
    senderShareId: r.senderShareId,
    sourceSessionId: r.sourceSessionId,
    sessionKind: r.sessionKind,
    cloneSessionId: r.cloneSessionId,
    cloneSessionNumber: r.cloneSessionNumber,
    sharedFromSession: r.sharedFromSession,
    trustReview: r.trustReview,
    workflowId: r.workflowId,
    vendorData: r.vendorData,
    statusAtImport: r.statusAtImport,
    state: r.state,
    failureCode: r.failureCode,
    failureReason: r.failureReason,
    retryable: r.retryable,
    attempts: r.attempts,
    importedBy:
      j.userId && j.userName !== null && j.userEmail !== null
        ? { id: j.userId, name: j.userName, email: j.userEmail }
        : null,
    importedByPolicy: r.importedByPolicy,
    reconciled: r.reconciledAt !== null,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
  };
}

/** The import as the console shows it (no permission check: callers check theirs). */
export async function loadImport(db: ServiceContext["db"], id: string): Promise<ImportDto> {
  const [row] = await selectJoined(db).where(eq(imports.id, id)).limit(1);
  if (!row) throw new AppError("not_found", "No such import.");
  return toImportDto(row);
}

/** The import of an inbox item, if one was started (the inbox item page and the review queue). */
export async function importOfItem(db: ServiceContext["db"], inboxItemId: string): Promise<ImportDto | null> {
  const [row] = await selectJoined(db).where(eq(imports.inboxItemId, inboxItemId)).limit(1);
  return row ? toImportDto(row) : null;
}

/** The imports of several inbox items in one query (the inbox list), by item id. */
export async function importsOfItems(
  db: ServiceContext["db"],
  inboxItemIds: string[],
): Promise<Map<string, ImportDto>> {
  if (inboxItemIds.length === 0) return new Map();
  const rows = await selectJoined(db).where(inArray(imports.inboxItemId, inboxItemIds));
  return new Map(rows.map((r) => [r.row.inboxItemId, toImportDto(r)]));
}

// --- Claiming the item (the first transaction) ---------------------------------------------------

/** The 409 for every import after the first: it names the import that holds the item. */
function heldBy(existing: ImportRow): AppError {
  const details = { importId: existing.id, state: existing.state, cloneSessionId: existing.cloneSessionId };
  if (existing.state === "imported") {
    return new AppError(
      "already_imported",
      `This token was already imported (import ${existing.id}, clone ${existing.cloneSessionId}): open that import instead of importing again.`,
      details,
    );
  }
  if (existing.state === "importing") {
    return new AppError(
      "already_imported",
      `This token is being imported right now (import ${existing.id}): wait for that import instead of importing again.`,
      details,
    );
  }
  return new AppError(
    "conflict",
    `This token's import failed (import ${existing.id}): ${existing.failureReason ?? "it cannot be imported again."}`,
    details,
  );
}

const NOT_PENDING: Record<string, { code: ErrorCode; message: string }> = {
  rejected: { code: "conflict", message: "This token was rejected: it cannot be imported." },
  expired: {
    code: "token_expired",
    message: "This share token has expired: ask the partner for a new token.",
  },
  failed: { code: "conflict", message: "This token's import failed: ask the partner for a new token." },
  invalid: {
    code: "token_invalid",
    message:
      "Didit refused this token as invalid (malformed, or not signed by Didit): it cannot be imported. Ask the partner for a new share if they meant to send one.",
  },
  imported: { code: "already_imported", message: "This token was already imported." },
  importing: { code: "already_imported", message: "This token is being imported right now." },
  withdrawn: {
    code: "share_withdrawn",
    message:
      "The sender withdrew this share: its token can no longer be imported. Ask the partner if in doubt.",
  },
};

type Claimed = {
  importId: string;
  token: string;
  caller: DiditCaller;
  expectedApplicationId: string;
  item: ItemRow;
  input: { workflowId: string; vendorData: string; trustReview: boolean };
};

function defaultVendorData(item: ItemRow, partner: PartnerRow, now: Date): string {
  if (partner.vendorDataTemplate) {
    const manifest = item.manifest;
    const rendered = renderVendorDataTemplate(partner.vendorDataTemplate, {
      partner: partner.name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, ""),
      partner_id: partner.id,
      source_session: item.sourceSessionId,
      session_number: manifest?.session_number ?? null,
      session_kind: item.sessionKind,
      date: now.toISOString().slice(0, 10),
      random: randomUUID().replace(/-/g, "").slice(0, 8),
    }).trim();
    if (rendered !== "" && rendered.length <= VENDOR_DATA_MAX) return rendered;
  }
  return `handoff-${item.id}`;
}

function workflowFor(
  item: ItemRow,
  partner: PartnerRow,
  app: ApplicationRow,
  requested: string | undefined,
): string {
  if (requested) return requested.toLowerCase();
  const kind = item.sessionKind;
  const fromPartner = kind === "user" ? partner.importWorkflowUser : partner.importWorkflowBusiness;
  const fromApp = kind === "user" ? app.defaultWorkflowUser : app.defaultWorkflowBusiness;
  const workflow = fromPartner ?? fromApp;
  if (!workflow) {
    throw new AppError(
      "workflow_not_found",
      `No ${KIND_LABEL[kind]} import workflow is set for ${partner.name} or for ${app.name}: choose a workflow for this import, or ask an admin to set ${app.name}'s default ${KIND_LABEL[kind]} import workflow on /applications.`,
    );
  }
  return workflow;
}

/**
 * The first transaction: lock the item, refuse unless it may be imported now, write the import
 * `importing` (or reopen a retryable failure), mark the item `importing`, queue the safety net.
 */
async function claim(
  ctx: ServiceContext,
  itemId: string,
  request: CreateImportRequest,
  by: Initiator,
): Promise<Claimed> {
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const [item] = await tx.select().from(inboxItems).where(eq(inboxItems.id, itemId)).limit(1).for("update");
    if (!item) throw new AppError("not_found", "No such inbox item.");
    // Withdrawn by the sender: refused as such even after a failed (retryable) attempt.
    if (item.state === "withdrawn") throw new AppError("share_withdrawn", NOT_PENDING.withdrawn!.message);
    if (item.state === "invalid") throw new AppError(NOT_PENDING.invalid!.code, NOT_PENDING.invalid!.message);
    const [existing] = await tx.select().from(imports).where(eq(imports.inboxItemId, itemId)).limit(1);
    const retry = existing?.state === "failed" && existing.retryable && item.state === "failed";
    if (existing && !retry) throw heldBy(existing);
    if (!retry && item.state !== "pending") {
      const refusal = NOT_PENDING[item.state] ?? {
        code: "conflict",
        message: "This token cannot be imported.",
      };
      throw new AppError(refusal.code, refusal.message);
    }
    if (item.expiresAt <= now) {
      throw new AppError(
        "token_expired",
        `This share token expired at ${item.expiresAt.toISOString()}: ask the partner for a new token.`,
      );
    }
    if (!item.tokenCiphertext) {
      throw new AppError("conflict", "This token is no longer held: ask the partner for a new token.");
    }
    if (!item.partnerId) {
      throw new AppError(
        "token_from_unknown_partner",
        "The sender is not in our partner directory: a partnership manager must add it (direction inbound or both) before its tokens can be imported.",
      );
    }
    // One connection in a transaction: one query at a time.
    const [partner] = await tx.select().from(partners).where(eq(partners.id, item.partnerId)).limit(1);
    const [app] = await tx
      .select()
      .from(connectedApplications)
      .where(eq(connectedApplications.id, item.applicationId))
      .limit(1);
    if (!partner) throw new AppError("not_found", "No such partner.");
    const policy = evaluateImportPolicy(partner, { session_kind: item.sessionKind }, now);
    if (!policy.ok) throw new AppError(policy.code, policy.message);
    if (!app || app.deletedAt || !app.apiKeyCiphertext) {
      throw new AppError(
        "conflict",
        `${app?.name ?? "The receiving application"} has no API key (or was removed from the console): an admin must set its key on /applications before tokens for it can be imported.`,
      );
    }
    const input = {
      workflowId: workflowFor(item, partner, app, request.workflowId),
      vendorData: request.vendorData ?? existing?.vendorData ?? defaultVendorData(item, partner, now),
      trustReview: request.trustReview ?? partner.trustReview,
    };
    const importId = existing?.id ?? randomUUID();
    if (existing) {
      await tx
        .update(imports)
        .set({
          ...input,
          state: "importing",
          failureCode: null,
          failureReason: null,
          retryable: false,
          attempts: existing.attempts + 1,
          importedBy: by.userId,
          importedByPolicy: by.policy,
          startedAt: now,
          finishedAt: null,
          updatedAt: now,
        })
        .where(eq(imports.id, importId));
    } else {
      await tx.insert(imports).values({
        id: importId,
        inboxItemId: item.id,
        applicationId: app.id,
        partnerId: partner.id,
        senderShareId: item.senderShareId,
        sourceSessionId: item.sourceSessionId,
        sessionKind: item.sessionKind,
        ...input,
        state: "importing",
        importedBy: by.userId,
        importedByPolicy: by.policy,
        startedAt: now,
        createdAt: now,
        updatedAt: now,
      });
    }
    await tx
      .update(inboxItems)
      .set({ state: "importing", stateReason: null, updatedAt: now })
      .where(eq(inboxItems.id, item.id));
    // The safety net for a crash between Didit's answer and the second transaction.
    await enqueue(tx, {
      queue: RECONCILE_QUEUE,
      payload: { importId },
      runAt: new Date(now.getTime() + RECONCILE_AFTER_MS),
      singletonKey: `${importId}:${existing ? existing.attempts + 1 : 1}`,
      maxAttempts: 10,
      now,
    });
    return {
      importId,
      token: open(item.tokenCiphertext, item.id),
      caller: { id: app.id, apiKeyCiphertext: app.apiKeyCiphertext },
      expectedApplicationId: app.diditApplicationId,
      item,
      input,
    };
  });
}

// --- Recording the outcome (the second transaction) ----------------------------------------------

type Clone = {
  sessionId: string;
  sessionNumber: number | null;
  sessionKind: "user" | "business";
  status: string;
  sharedFromSession: string | null;
  vendorData: string | null;
  workflowId: string | null;
  createdAt: Date;
};

function cloneOf(result: ImportResult, now: Date): Clone {
  return {
    sessionId: result.sessionId,
    sessionNumber: result.sessionNumber,
    sessionKind: result.sessionKind,
    status: result.status,
    sharedFromSession: result.sharedFromSession,
    vendorData: result.vendorData,
    workflowId: result.workflowId,
    createdAt: now,
  };
}

/** Records the clone: the import and the item imported, the token destroyed, the mirror row, the audit. */
async function recordClone(
  db: ServiceContext["db"],
  meta: AuditRequestMeta,
  importId: string,
  clone: Clone,
  reconciled: boolean,
): Promise<void> {
  const now = meta.now;
  await db.transaction(async (tx) => {
    const [row] = await tx.select().from(imports).where(eq(imports.id, importId)).limit(1).for("update");
    if (!row) throw new AppError("not_found", "No such import.");
    if (row.state === "imported") return; // recorded already (the answer and the safety net agree)
    await tx
      .update(imports)
      .set({
        state: "imported",
        cloneSessionId: clone.sessionId,
        cloneSessionNumber: clone.sessionNumber,
        sharedFromSession: clone.sharedFromSession,
        statusAtImport: clone.status,
        status: clone.status,
        statusUpdatedAt: now,
        workflowId: clone.workflowId ?? row.workflowId,
        failureCode: null,
        failureReason: null,
        retryable: false,
        reconciledAt: reconciled ? now : null,
        finishedAt: now,
        updatedAt: now,
      })
      .where(eq(imports.id, importId));
    const [item] = await tx
      .update(inboxItems)
      .set({ state: "imported", stateReason: null, tokenCiphertext: null, updatedAt: now })
      .where(eq(inboxItems.id, row.inboxItemId))
      .returning({ localShareId: inboxItems.localShareId, receivedAt: inboxItems.receivedAt });
    await upsertMirrorClone(tx, row.applicationId, {
      sessionId: clone.sessionId,
      sessionNumber: clone.sessionNumber,
      sessionKind: clone.sessionKind,
      status: clone.status,
      vendorData: clone.vendorData ?? row.vendorData,
      workflowId: clone.workflowId ?? row.workflowId,
      sharedFromSession: clone.sharedFromSession ?? row.sourceSessionId,
      createdAt: clone.createdAt,
    });
    await recordAudit(tx, meta, {
      action: "import.created",
      entityType: "import",
      entityId: importId,
      data: {
        inboxItemId: row.inboxItemId,
        applicationId: row.applicationId,
        partnerId: row.partnerId,
        senderShareId: row.senderShareId,
        sourceSessionId: row.sourceSessionId,
        sessionKind: row.sessionKind,
        cloneSessionId: clone.sessionId,
        sharedFromSession: clone.sharedFromSession,
        statusAtImport: clone.status,
        trustReview: row.trustReview,
        workflowId: clone.workflowId ?? row.workflowId,
        vendorData: row.vendorData,
        importedByPolicy: row.importedByPolicy,
        reconciled,
        attempts: row.attempts,
      },
    });
    // The partner recalled this source while the token waited in our inbox: recalled at once.
    await recallLateImport(tx, meta, {
      id: importId,
      partnerId: row.partnerId,
      sourceSessionId: row.sourceSessionId,
      senderShareId: row.senderShareId,
      receivedAt: item?.receivedAt ?? now,
    });
    if (item?.localShareId)
      await receiptOnOwnShare(tx, meta, item.localShareId, {
        status: "imported",
        cloneSessionId: clone.sessionId,
      });
    else {
      await queueOutboundReceipt(
        tx,
        {
          partnerId: row.partnerId,
          inboxItemId: row.inboxItemId,
          shareId: row.senderShareId,
          status: "imported",
          cloneSessionId: clone.sessionId,
          now,
        },
        meta,
      );
    }
  });
}

/** The item's reason once Didit refused its token as invalid: a forgery, or a token mangled on the way. */
const INVALID_REASON =
  "Didit refused this token as invalid (malformed, or not signed by Didit): its claims were never verified, so it is not counted as the partner's and cannot be imported. Ask the partner for a new share if they meant to send one.";

/**
 * Records a failure: the import `failed` with our code and message; the item `failed`, its token
 * destroyed unless it is still unredeemed (`retryable`: it may be imported again). A token Didit
 * refused as invalid marks the item `invalid` (audited as `inbox.invalid`): never the partner's.
 * Answers the import's state after it: `imported` when the safety net found the clone meanwhile.
 */
async function recordFailure(
  db: ServiceContext["db"],
  meta: AuditRequestMeta,
  importId: string,
  failure: { code: string; reason: string; retryable: boolean },
): Promise<ImportRow["state"] | null> {
  const now = meta.now;
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(imports).where(eq(imports.id, importId)).limit(1).for("update");
    if (!row) return null;
    if (row.state !== "importing") return row.state; // decided meanwhile (the safety net)
    await tx
      .update(imports)
      .set({
        state: "failed",
        failureCode: failure.code,
        failureReason: failure.reason,
        retryable: failure.retryable,
        finishedAt: now,
        updatedAt: now,
      })
      .where(eq(imports.id, importId));
    const invalid = failure.code === "token_invalid";
    await tx
      .update(inboxItems)
      .set({
        state: invalid ? "invalid" : "failed",
        stateReason: invalid ? INVALID_REASON : failure.reason,
        ...(failure.retryable ? {} : { tokenCiphertext: null }),
        updatedAt: now,
      })
      .where(eq(inboxItems.id, row.inboxItemId));
    await recordAudit(tx, meta, {
      action: "import.failed",
      entityType: "import",
      entityId: importId,
      data: {
        inboxItemId: row.inboxItemId,
        partnerId: row.partnerId,
        sourceSessionId: row.sourceSessionId,
        code: failure.code,
        retryable: failure.retryable,
        vendorData: row.vendorData,
        attempts: row.attempts,
      },
    });
    if (invalid) {
      // Who the claims named is kept as a claim: the token was never that partner's.
      await recordAudit(tx, meta, {
        action: "inbox.invalid",
        entityType: "inbox_item",
        entityId: row.inboxItemId,
        data: {
          importId,
          code: failure.code,
          claimedPartnerId: row.partnerId,
          claimedSourceSessionId: row.sourceSessionId,
        },
      });
    }
    return "failed" as const;
  });
}

// --- Reconciliation ------------------------------------------------------------------------------

/**
 * Looks for the clone a lost import may have created: sessions of our application with the
 * import's vendor_data and kind (newest first, as Didit lists them), not already recorded as
 * another import's clone, whose decision names the token's source as `shared_from_session`.
 */
async function findLostClone(
  db: ServiceContext["db"],
  didit: DiditClient,
  caller: DiditCaller,
  row: Pick<ImportRow, "id" | "vendorData" | "sessionKind" | "sourceSessionId">,
): Promise<Clone | null> {
  const candidates: Awaited<ReturnType<DiditClient["listSessions"]>>["results"] = [];
  let offset: number | null = 0;
  while (offset !== null && candidates.length < RECONCILE_CANDIDATES) {
    const page = await didit.listSessions(caller, {
      vendorData: row.vendorData,
      kind: row.sessionKind,
      limit: RECONCILE_CANDIDATES,
      offset,
    });
    candidates.push(...page.results.filter((r) => r.vendorData === row.vendorData));
    offset = page.nextOffset;
  }
  if (candidates.length === 0) return null;
  const known = await db
    .select({ clone: imports.cloneSessionId })
    .from(imports)
    .where(
      and(
        inArray(
          imports.cloneSessionId,
          candidates.map((c) => c.sessionId),
        ),
        ne(imports.id, row.id),
      ),
    );
  const taken = new Set(known.map((k) => k.clone));
  const source = row.sourceSessionId.toLowerCase();
  for (const candidate of candidates.slice(0, RECONCILE_CANDIDATES)) {
    if (taken.has(candidate.sessionId)) continue;
    const decision = await didit.getDecision(caller, candidate.sessionId);
    if (decision.sharedFromSession?.toLowerCase() !== source) continue;
    return {
      sessionId: decision.sessionId,
      sessionNumber: decision.sessionNumber,
      sessionKind: decision.sessionKind,
      status: decision.status,
      sharedFromSession: decision.sharedFromSession,
      vendorData: decision.vendorData,
      workflowId: decision.workflowId,
      createdAt: decision.createdAt,
    };
  }
  return null;
}

// --- The import ----------------------------------------------------------------------------------

function systemMeta(ctx: ServiceContext, label: string): AuditRequestMeta {
  return { actor: { id: null, label }, now: ctx.now(), requestId: ctx.requestId, ip: ctx.ip };
}

async function importItem(
  ctx: ServiceContext,
  itemId: string,
  request: CreateImportRequest,
  by: Initiator,
  meta: () => AuditRequestMeta,
  deps: ImportDeps,
): Promise<ImportDto> {
  const claimed = await claim(ctx, itemId, request, by);
  const didit = deps.didit ?? getDiditClient();
  const { importId, caller, input } = claimed;
  let result: ImportResult;
  try {
    result = await didit.importShared(caller, {
      shareToken: claimed.token,
      workflowId: input.workflowId,
      vendorData: input.vendorData,
      trustReview: input.trustReview,
      expectedApplicationId: claimed.expectedApplicationId,
    });
  } catch (error) {
    if (!(error instanceof DiditError)) throw error; // left `importing`: the safety net decides it
    await settleRefusal(ctx, didit, meta, claimed, error);
    return loadImport(ctx.db, importId);
  }
  await recordClone(ctx.db, meta(), importId, cloneOf(result, ctx.now()), false);
  return loadImport(ctx.db, importId);
}

/**
 * Didit refused or the answer was lost. A lost answer (or "already imported", which a lost earlier
 * attempt of ours also causes) is reconciled by vendor_data first: a clone found → imported, and
 * this returns. Otherwise the import fails with Didit's code and message, and that error is thrown.
 */
async function settleRefusal(
  ctx: ServiceContext,
  didit: DiditClient,
  meta: () => AuditRequestMeta,
  claimed: Claimed,
  error: DiditError,
): Promise<void> {
  const { importId, caller, input, item } = claimed;
  const lost = error.details?.outcomeUnknown === true;
  if (lost || error.code === "already_imported") {
    let clone: Clone | null;
    try {
      clone = await findLostClone(ctx.db, didit, caller, {
        id: importId,
        vendorData: input.vendorData,
        sessionKind: item.sessionKind,
        sourceSessionId: item.sourceSessionId,
      });
    } catch (lookup) {
      // Didit cannot be asked now: the import stays `importing` and the job looks again later.
      getLogger().warn(
        { importId, code: lookup instanceof AppError ? lookup.code : "error" },
        "an import's lost answer could not be reconciled yet",
      );
      throw new AppError(
        error.code,
        `${error.message.replace(/\.$/, "")}. Handoff could not check yet whether Didit created the session (vendor_data ${input.vendorData}); it checks again within a few minutes, and the import ${importId} shows the outcome.`,
        { importId, outcomeUnknown: true },
      );
    }
    if (clone) {
      await recordClone(ctx.db, meta(), importId, clone, true);
      return;
    }
    if (lost) {
      const reason = `Didit's answer to the import was lost (${error.code}), and Didit has no session with vendor_data ${input.vendorData} cloned from ${item.sourceSessionId}: the import did not happen and the token is still unredeemed. Import it again.`;
      if (
        (await recordFailure(ctx.db, meta(), importId, { code: error.code, reason, retryable: true })) ===
        "imported"
      )
        return;
      throw new AppError(error.code, reason, { importId, ...safeDetails(error) });
    }
    const [local] = await ctx.db
      .select({ id: imports.id, clone: imports.cloneSessionId })
      .from(imports)
      .where(and(eq(imports.sourceSessionId, item.sourceSessionId), eq(imports.state, "imported")))
      .limit(1);
    const reason = local
      ? `This session was already imported into this application (import ${local.id}, clone ${local.clone}): open that import instead.`
      : "This session was already imported into this application outside this console: look for it in Didit's console instead of importing again.";
    if (
      (await recordFailure(ctx.db, meta(), importId, { code: error.code, reason, retryable: false })) ===
      "imported"
    )
      return;
    throw new AppError(error.code, reason, { importId, ...safeDetails(error) });
  }
  const retryable = !TERMINAL.has(error.code);
  const reason = retryable
    ? `${error.message.replace(/\.$/, "")}. The token is still unredeemed: import it again once this is fixed.`
    : error.message;
  if ((await recordFailure(ctx.db, meta(), importId, { code: error.code, reason, retryable })) === "imported")
    return;
  throw new AppError(error.code, reason, { importId, ...safeDetails(error) });
}

function safeDetails(error: DiditError): Record<string, unknown> {
  const d = error.details ?? {};
  return {
    ...(d.upstreamStatus !== undefined ? { upstreamStatus: d.upstreamStatus } : {}),
    ...(d.retryAfterSeconds !== undefined ? { retryAfterSeconds: d.retryAfterSeconds } : {}),
  };
}

/** `POST /api/inbox/{id}/import`: an officer imports a received token (defaults from the partner's policy). */
export async function createImport(
  ctx: ServiceContext,
  itemId: string,
  request: CreateImportRequest,
  deps: ImportDeps = {},
): Promise<ImportDto> {
  assertCan(ctx, "imports.create");
  return importItem(
    ctx,
    itemId,
    request,
    { userId: ctx.actor!.id, policy: null },
    () => auditMeta(ctx),
    deps,
  );
}

/** The partner's `auto` policy imports a token on arrival (a job), with the policy's defaults. */
export async function importByPolicy(
  ctx: ServiceContext,
  itemId: string,
  deps: ImportDeps = {},
): Promise<ImportDto> {
  return importItem(
    ctx,
    itemId,
    {},
    { userId: null, policy: "auto" },
    () => systemMeta(ctx, "policy:auto"),
    deps,
  );
}

// --- The safety net ------------------------------------------------------------------------------

/**
 * An import still `importing` (a crash between Didit's answer and the second transaction, or an
 * answer lost while Didit could not be asked): looks for its clone by vendor_data; found →
 * imported; not found → failed, the token still unredeemed. Answers the import's state.
 */
export async function reconcileImport(
  ctx: ServiceContext,
  importId: string,
  deps: ImportDeps = {},
): Promise<ImportDto["state"] | null> {
  const [row] = await ctx.db
    .select({ imp: imports, app: connectedApplications })
    .from(imports)
    .innerJoin(connectedApplications, eq(connectedApplications.id, imports.applicationId))
    .where(eq(imports.id, importId))
    .limit(1);
  if (!row) return null;
  if (row.imp.state !== "importing") return row.imp.state;
  const meta = systemMeta(ctx, "system");
  if (!row.app.apiKeyCiphertext) {
    const state = await recordFailure(ctx.db, meta, importId, {
      code: "key_rejected",
      reason: `${row.app.name} has no API key any more, so Handoff cannot check whether Didit created this import's session (vendor_data ${row.imp.vendorData}): an admin must set the key, then import again.`,
      retryable: true,
    });
    return state;
  }
  const caller = { id: row.app.id, apiKeyCiphertext: row.app.apiKeyCiphertext };
  const clone = await findLostClone(ctx.db, deps.didit ?? getDiditClient(), caller, row.imp);
  if (clone) {
    await recordClone(ctx.db, meta, importId, clone, true);
    return "imported";
  }
  return recordFailure(ctx.db, meta, importId, {
    code: "upstream_unavailable",
    reason: `This import stopped before its outcome was recorded, and Didit has no session with vendor_data ${row.imp.vendorData} cloned from ${row.imp.sourceSessionId}: the import did not happen and the token is still unredeemed. Import it again.`,
    retryable: true,
  });
}

/**
 * Queues the automatic import of an item that just arrived from a partner whose policy is `auto`
 * (call it in the transaction that stores the item). Answers whether a job was queued.
 */
export async function enqueueAutoImport(
  tx: DbOrTx,
  item: { id: string; expiresAt: Date },
  partner: Pick<PartnerRow, "importMode">,
  now: Date = new Date(),
): Promise<boolean> {
  if (partner.importMode !== "auto") return false;
  const job = await enqueue(tx, {
    queue: AUTO_IMPORT_QUEUE,
    payload: { inboxItemId: item.id },
    deadline: item.expiresAt,
    singletonKey: item.id,
    now,
  });
  return job !== null;
}

/**
 * The `auto` policy's job: imports the item with the partner's defaults. A refusal is recorded on
 * the import and the item (and audited) like an officer's, so the job is done; an officer who
 * imported or rejected it first wins. Only an unrecorded failure (left `importing`) is retried.
 */
async function runAutoImport(job: JobContext, itemId: string): Promise<void> {
  const ctx: ServiceContext = {
    db: job.db,
    actor: null,
    now: () => new Date(),
    requestId: `job:${job.jobId}`,
    ip: null,
    userAgent: null,
  };
  const [item] = await job.db
    .select({ partnerId: inboxItems.partnerId, state: inboxItems.state })
    .from(inboxItems)
    .where(eq(inboxItems.id, itemId))
    .limit(1);
  if (!item || item.state !== "pending" || !item.partnerId) return;
  const [partner] = await job.db
    .select({ importMode: partners.importMode })
    .from(partners)
    .where(eq(partners.id, item.partnerId))
    .limit(1);
  if (partner?.importMode !== "auto") return; // the policy changed since the item arrived
  try {
    await importByPolicy(ctx, itemId);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    getLogger().info(
      { inboxItemId: itemId, code: error.code },
      "the auto-import policy did not import an item",
    );
  }
}

export function registerImportHandlers(): void {
  registerHandler(AUTO_IMPORT_QUEUE, async (job: JobContext, payload) => {
    if (typeof payload.inboxItemId === "string") await runAutoImport(job, payload.inboxItemId);
  });
  registerHandler(RECONCILE_QUEUE, async (job: JobContext, payload) => {
    const importId = typeof payload.importId === "string" ? payload.importId : null;
    if (!importId) return;
    await reconcileImport(
      {
        db: job.db,
        actor: null,
        now: () => new Date(),
        requestId: `job:${job.jobId}`,
        ip: null,
        userAgent: null,
      },
      importId,
    );
  });
}
