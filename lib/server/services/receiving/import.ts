import "server-only";
import { and, eq } from "drizzle-orm";
import type { CreateImportRequest, ImportDto } from "@/lib/schemas/imports";
import { imports } from "@/lib/server/db/schema";
import { DiditError } from "@/lib/server/didit";
import type { DiditClient, ImportResult } from "@/lib/server/didit/types";
import { AppError, type ServiceContext, type ServiceDeps, assertCan, diditOf } from "@/lib/server/kernel";
import { getLogger } from "@/lib/server/logger";
import { auditMeta, type AuditRequestMeta } from "@/lib/server/services/audit";
import { claim, type Claimed, type Initiator } from "./claim";
import { loadImport } from "./import-records";
import { cloneOf, recordClone, recordFailure, systemMeta, type Clone } from "./outcome";
import { findLostClone } from "./reconcile";

/**
 * Import, exactly once (we are Service Y). A short transaction row-locks the inbox item, refuses
 * unless it is pending (409 naming the import held), writes the import in state `importing` and the
 * item `importing`, and commits; only then is Didit called, once, never retried; a second
 * transaction records the clone (mirror row with its lineage, token destroyed, audit) or the
 * refusal. A lost answer is never retried blindly: the import's vendor_data (always sent) finds the
 * clone by listing sessions and matching `shared_from_session`; a job does the same for an import
 * left `importing` by a crash between the two transactions.
 */

/** Refusals after which the token can never be redeemed: the item fails and its token is destroyed. */
const TERMINAL = new Set<string>([
  "token_expired",
  "token_invalid",
  "token_not_for_us",
  "already_imported",
  "source_deleted",
]);

async function importItem(
  ctx: ServiceContext,
  itemId: string,
  request: CreateImportRequest,
  by: Initiator,
  meta: () => AuditRequestMeta,
  deps: ServiceDeps,
): Promise<ImportDto> {
  const claimed = await claim(ctx, itemId, request, by);
  const didit = diditOf(deps);
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
  deps: ServiceDeps = {},
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
  deps: ServiceDeps = {},
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
