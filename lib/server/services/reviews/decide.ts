import "server-only";
import { and, eq } from "drizzle-orm";
import type {
  DecisionRequest,
  DecisionResponse,
  ImportListItemDto,
  RejectProposalRequest,
} from "@/lib/schemas/reviews";
import { importDecisions, imports } from "@/lib/server/db/schema";
import { AppError, assertCan, diditOf, type ServiceContext, type ServiceDeps } from "@/lib/server/kernel";
import { auditMeta, recordAudit } from "@/lib/server/services/audit";
import { decisionDto, loadItem } from "./items";
import { confirmSameStatus, failDecision, recordSent, SAME_STATUS_RE } from "./outcome";
import { prepareDecision, type Prepared } from "./prepare";

/**
 * Decisions on imported clones (we are Service Y). A decision is written in a short transaction
 * that row-locks the import (so two officers deciding at once make one Didit call), then sent to
 * Didit with our application's key outside any transaction, then recorded `sent` (or `failed` with
 * Didit's refusal). Under four eyes the first officer's decision is only a proposal. Didit's
 * webhook (or the `reviews.confirm` job) moves a sent decision to `confirmed`.
 */

type Sending = Extract<Prepared, { kind: "send" }>;

async function decisionResponse(
  ctx: ServiceContext,
  importId: string,
  decisionId: string,
): Promise<DecisionResponse> {
  return {
    decision: await decisionDto(ctx.db, decisionId),
    import: await loadItem(ctx.db, importId, ctx.now()),
  };
}

/**
 * Didit's answer to a sent decision was an error: an unknown outcome is left `sent` (the job
 * settles it); "already has this status" on a recalled import confirms it; any other refusal
 * fails the decision and is thrown.
 */
async function settleRefusal(
  ctx: ServiceContext,
  importId: string,
  prepared: Sending,
  error: AppError,
): Promise<DecisionResponse> {
  const details = (error.details ?? {}) as Record<string, unknown>;
  if (details.outcomeUnknown === true) {
    throw new AppError(
      error.code,
      `${error.message.replace(/\.$/, "")}. Handoff checks the session at Didit within a few minutes and records whether this decision took effect.`,
      { decisionId: prepared.decisionId, outcomeUnknown: true },
    );
  }
  const meta = auditMeta(ctx);
  if (
    error.code === "conflict" &&
    SAME_STATUS_RE.test(error.message) &&
    (await confirmSameStatus(ctx.db, meta, importId, prepared.decisionId))
  ) {
    return decisionResponse(ctx, importId, prepared.decisionId);
  }
  // Didit's 404 on our own clone: it was deleted at Didit, not a missing import of ours.
  const refusal =
    error.code === "not_found"
      ? new AppError(
          "session_deleted",
          "This session no longer exists at Didit (it was deleted there): no decision can take effect. The import stays on record.",
        )
      : error;
  await ctx.db.transaction((tx) =>
    failDecision(tx, meta, importId, prepared.decisionId, {
      code: refusal.code,
      reason: refusal.message,
    }),
  );
  throw new AppError(refusal.code, refusal.message, {
    decisionId: prepared.decisionId,
    ...(details.upstreamStatus !== undefined ? { upstreamStatus: details.upstreamStatus } : {}),
  });
}

/**
 * `POST /api/imports/{id}/decision`: Approve or Decline the clone at Didit with our key. Under four
 * eyes the first officer's decision is a proposal (state `proposed`, nothing sent); a second,
 * different officer posting the same status confirms it and it is sent; another status turns the
 * proposal down and becomes the new proposal. Didit's refusal: `failed`, and its error is thrown.
 */
export async function decideImport(
  ctx: ServiceContext,
  importId: string,
  request: DecisionRequest,
  deps: ServiceDeps = {},
): Promise<DecisionResponse> {
  assertCan(ctx, "reviews.decide");
  const prepared = await prepareDecision(ctx, auditMeta(ctx), importId, request);
  if (prepared.kind === "send") {
    const didit = diditOf(deps);
    try {
      await didit.updateStatus(prepared.caller, prepared.cloneSessionId, {
        newStatus: prepared.status,
        ...(prepared.comment ? { comment: prepared.comment } : {}),
      });
    } catch (error) {
      // Not Didit's answer (a bug, a crash): left `sent`, the confirmation job settles it.
      if (!(error instanceof AppError)) throw error;
      return settleRefusal(ctx, importId, prepared, error);
    }
    await recordSent(ctx.db, auditMeta(ctx), importId, prepared.decisionId);
  }
  return decisionResponse(ctx, importId, prepared.decisionId);
}

/**
 * `POST /api/imports/{id}/decision/reject`: another officer turns the open proposal down
 * (`rejected`), or its proposer withdraws it (`withdrawn`); audited; nothing goes to Didit.
 */
export async function rejectProposal(
  ctx: ServiceContext,
  importId: string,
  request: RejectProposalRequest,
): Promise<ImportListItemDto> {
  assertCan(ctx, "reviews.decide");
  const meta = auditMeta(ctx);
  const actorId = ctx.actor!.id;
  await ctx.db.transaction(async (tx) => {
    const [imp] = await tx
      .select({ id: imports.id })
      .from(imports)
      .where(eq(imports.id, importId))
      .limit(1)
      .for("update");
    if (!imp) throw new AppError("not_found", "No such import.");
    const [proposal] = await tx
      .select()
      .from(importDecisions)
      .where(and(eq(importDecisions.importId, importId), eq(importDecisions.state, "proposed")))
      .limit(1)
      .for("update");
    if (!proposal) {
      throw new AppError("conflict", "No proposal is awaiting a second approval on this import: reload it.");
    }
    const withdrawn = proposal.decidedBy === actorId;
    await tx
      .update(importDecisions)
      .set({
        state: withdrawn ? "withdrawn" : "rejected",
        secondBy: actorId,
        secondAt: meta.now,
        secondComment: request.comment,
        updatedAt: meta.now,
      })
      .where(eq(importDecisions.id, proposal.id));
    await recordAudit(tx, meta, {
      action: withdrawn ? "import.proposal_withdrawn" : "import.proposal_rejected",
      entityType: "import",
      entityId: importId,
      data: { decisionId: proposal.id, status: proposal.status, comment: request.comment },
    });
  });
  return loadItem(ctx.db, importId, ctx.now());
}
