import "server-only";
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { type CreateImportRequest, VENDOR_DATA_MAX } from "@/lib/schemas/imports";
import { renderVendorDataTemplate } from "@/lib/schemas/partners";
import { open } from "@/lib/server/crypto/envelope";
import {
  connectedApplications,
  imports,
  inboxItems,
  partners,
  type ImportPolicy,
} from "@/lib/server/db/schema";
import type { Tx } from "@/lib/server/db/types";
import type { DiditCaller } from "@/lib/server/didit/types";
import { AppError, type ErrorCode, type ServiceContext } from "@/lib/server/kernel";
import { evaluateImportPolicy } from "@/lib/server/services/partners";
import { RECONCILE_AFTER_MS, reconcileImportJob } from "./reconcile";

/**
 * Claiming an inbox item for an import (the first transaction): the item row-locked, refused unless
 * it may be imported now (409 naming the import held), the import written `importing`, the item
 * `importing`, the safety net queued; committed before Didit is called.
 */

type ImportRow = typeof imports.$inferSelect;
type ItemRow = typeof inboxItems.$inferSelect;
type PartnerRow = typeof partners.$inferSelect;
type ApplicationRow = typeof connectedApplications.$inferSelect;

/** Who starts an import: an officer (ctx.actor) or a partner's policy on arrival. */
export type Initiator = { userId: string; policy: null } | { userId: null; policy: ImportPolicy };

const KIND_LABEL = { user: "KYC", business: "KYB" } as const;

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

export type Claimed = {
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

/** What the import may go ahead with: the locked item, the import it retries (if any), whom it is from and for. */
type Importable = {
  item: ItemRow & { tokenCiphertext: string; partnerId: string };
  existing: ImportRow | undefined;
  partner: PartnerRow;
  app: ApplicationRow & { apiKeyCiphertext: string };
};

/** Locks the item and refuses (throws) unless it may be imported now. */
async function lockImportable(tx: Tx, itemId: string, now: Date): Promise<Importable> {
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
  return {
    item: { ...item, tokenCiphertext: item.tokenCiphertext, partnerId: item.partnerId },
    existing,
    partner,
    app: { ...app, apiKeyCiphertext: app.apiKeyCiphertext },
  };
}

type ImportInput = Claimed["input"];

/** Writes the import `importing`: a new row, or the retryable failure it reopens (one attempt more). */
async function writeImporting(
  tx: Tx,
  { item, existing, partner, app }: Importable,
  importId: string,
  input: ImportInput,
  by: Initiator,
  now: Date,
): Promise<void> {
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
}

/**
 * The first transaction: lock the item, refuse unless it may be imported now, write the import
 * `importing` (or reopen a retryable failure), mark the item `importing`, queue the safety net.
 */
export async function claim(
  ctx: ServiceContext,
  itemId: string,
  request: CreateImportRequest,
  by: Initiator,
): Promise<Claimed> {
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const importable = await lockImportable(tx, itemId, now);
    const { item, existing, partner, app } = importable;
    const input = {
      workflowId: workflowFor(item, partner, app, request.workflowId),
      vendorData: request.vendorData ?? existing?.vendorData ?? defaultVendorData(item, partner, now),
      trustReview: request.trustReview ?? partner.trustReview,
    };
    const importId = existing?.id ?? randomUUID();
    await writeImporting(tx, importable, importId, input, by, now);
    await tx
      .update(inboxItems)
      .set({ state: "importing", stateReason: null, updatedAt: now })
      .where(eq(inboxItems.id, item.id));
    // The safety net for a crash between Didit's answer and the second transaction.
    await reconcileImportJob.enqueue(
      tx,
      { importId },
      {
        runAt: new Date(now.getTime() + RECONCILE_AFTER_MS),
        singletonKey: `${importId}:${existing ? existing.attempts + 1 : 1}`,
        now,
      },
    );
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
