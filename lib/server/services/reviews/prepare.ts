import "server-only";
import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray } from "drizzle-orm";
import type { DecisionRequest } from "@/lib/schemas/reviews";
import { connectedApplications, importDecisions, imports, partners } from "@/lib/server/db/schema";
import type { Tx } from "@/lib/server/db/types";
import type { DiditCaller } from "@/lib/server/didit/types";
import { AppError, type ServiceContext } from "@/lib/server/kernel";
import { recordAudit, type AuditRequestMeta } from "@/lib/server/services/audit";
import { enqueueConfirm } from "./confirm";
import { IN_REVIEW, type DecisionRow, type ImportRow } from "./items";

/**
 * The first transaction of a decision (see `decideImport`): lock the import, refuse unless it can
 * be decided now, then write a proposal (four eyes) or the decision about to be sent.
 */

/** What the first transaction wrote: a proposal (nothing to send), or a decision to send to Didit. */
export type Prepared =
  | { kind: "proposed"; decisionId: string }
  | {
      kind: "send";
      decisionId: string;
      caller: DiditCaller;
      cloneSessionId: string;
      status: DecisionRequest["status"];
      comment: string | null;
    };

/** One officer's decision being written, in its transaction. */
type Step = {
  tx: Tx;
  meta: AuditRequestMeta;
  actorId: string;
  importId: string;
  status: DecisionRequest["status"];
  comment: string | null;
};

async function openDecisions(tx: Tx, importId: string): Promise<DecisionRow[]> {
  return tx
    .select()
    .from(importDecisions)
    .where(and(eq(importDecisions.importId, importId), inArray(importDecisions.state, ["proposed", "sent"])))
    .orderBy(asc(importDecisions.createdAt))
    .for("update");
}

function pendingError(sent: DecisionRow): AppError {
  return new AppError(
    "decision_pending",
    `A decision (${sent.status}, ${sent.decidedAt.toISOString()}) was sent to Didit and is waiting for Didit's confirmation: reload this review in a moment instead of deciding again.`,
    { decisionId: sent.id },
  );
}

/** Didit's limit on an update-status comment (the sandbox enforces the same). */
const DIDIT_COMMENT_MAX = 2000;

/**
 * The comment sent to Didit with a four-eyes decision: the proposer's reason and the second
 * officer's, each labelled (roles, not names: Didit needs the reasons, not who we employ).
 */
export function diditComment(proposerComment: string | null, secondComment: string | null): string | null {
  if (!secondComment) return proposerComment;
  const text = proposerComment
    ? `Proposer: ${proposerComment}\nSecond officer: ${secondComment}`
    : `Second officer: ${secondComment}`;
  return text.length > DIDIT_COMMENT_MAX ? `${text.slice(0, DIDIT_COMMENT_MAX - 1)}…` : text;
}

/** Locks the import; refuses unless its clone exists at Didit and is In Review (or recalled). */
async function lockDecidableImport(
  tx: Tx,
  importId: string,
): Promise<ImportRow & { cloneSessionId: string }> {
  const [imp] = await tx.select().from(imports).where(eq(imports.id, importId)).limit(1).for("update");
  if (!imp) throw new AppError("not_found", "No such import.");
  if (imp.state !== "imported" || !imp.cloneSessionId) {
    throw new AppError(
      "conflict",
      `This import is ${imp.state}, not imported: there is no clone at Didit to decide.`,
    );
  }
  const recalled = imp.recalledAt !== null && imp.recallClearedAt === null;
  if (imp.status !== IN_REVIEW && !recalled) {
    throw new AppError(
      "not_in_review",
      `This clone is ${imp.status ?? "of unknown status"} at Didit, not In Review: there is nothing to decide.`,
      { status: imp.status },
    );
  }
  return { ...imp, cloneSessionId: imp.cloneSessionId };
}

/** The open proposal, if any; refuses while a sent decision awaits Didit's confirmation. */
async function openProposal(tx: Tx, importId: string): Promise<DecisionRow | null> {
  const open = await openDecisions(tx, importId);
  const sent = open.find((d) => d.state === "sent");
  if (sent) throw pendingError(sent);
  return open.find((d) => d.state === "proposed") ?? null;
}

async function partnerRequiresFourEyes(tx: Tx, partnerId: string): Promise<boolean> {
  const [partner] = await tx
    .select({ requireFourEyes: partners.requireFourEyes })
    .from(partners)
    .where(eq(partners.id, partnerId))
    .limit(1);
  return partner?.requireFourEyes === true;
}

/** The second officer confirms the proposal they saw: not one replaced or withdrawn since, and its status. */
function checkConfirmedProposal(
  proposal: DecisionRow | null,
  proposalId: string,
  status: DecisionRequest["status"],
): void {
  if (!proposal || proposal.id !== proposalId.toLowerCase()) {
    throw new AppError(
      "conflict",
      "The proposal you are confirming is no longer open (it was withdrawn, rejected or replaced): reload the review.",
      { decisionId: proposal?.id ?? null },
    );
  }
  if (proposal.status !== status) {
    throw new AppError(
      "conflict",
      `This proposal is ${proposal.status}, not ${status}: to disagree, reject it or propose ${status} without confirming.`,
      { decisionId: proposal.id },
    );
  }
}

/** Our application's key, with which the clone is decided at Didit; refuses when it is gone. */
async function decidingCaller(tx: Tx, applicationId: string): Promise<DiditCaller> {
  const [app] = await tx
    .select({
      id: connectedApplications.id,
      name: connectedApplications.name,
      key: connectedApplications.apiKeyCiphertext,
      deletedAt: connectedApplications.deletedAt,
    })
    .from(connectedApplications)
    .where(eq(connectedApplications.id, applicationId))
    .limit(1);
  if (!app || app.deletedAt || !app.key) {
    throw new AppError(
      "conflict",
      `${app?.name ?? "The clone's application"} has no API key (or was removed from the console): an admin must set its key on /applications before its clones can be decided.`,
    );
  }
  return { id: app.id, apiKeyCiphertext: app.key };
}

/** Four eyes, first officer: a proposal (audited `import.decision_proposed`), nothing sent. */
async function writeProposal(s: Step): Promise<Prepared> {
  const decisionId = randomUUID();
  const now = s.meta.now;
  await s.tx.insert(importDecisions).values({
    id: decisionId,
    importId: s.importId,
    status: s.status,
    comment: s.comment,
    state: "proposed",
    decidedBy: s.actorId,
    decidedAt: now,
    createdAt: now,
    updatedAt: now,
  });
  await recordAudit(s.tx, s.meta, {
    action: "import.decision_proposed",
    entityType: "import",
    entityId: s.importId,
    data: { decisionId, status: s.status, comment: s.comment },
  });
  return { kind: "proposed", decisionId };
}

/** The second officer disagrees: the proposal is turned down (theirs becomes the new proposal). */
async function rejectForCounterProposal(s: Step, proposal: DecisionRow): Promise<void> {
  const now = s.meta.now;
  await s.tx
    .update(importDecisions)
    .set({ state: "rejected", secondBy: s.actorId, secondAt: now, secondComment: s.comment, updatedAt: now })
    .where(eq(importDecisions.id, proposal.id));
  await recordAudit(s.tx, s.meta, {
    action: "import.proposal_rejected",
    entityType: "import",
    entityId: s.importId,
    data: { decisionId: proposal.id, status: proposal.status, comment: s.comment, counterProposal: s.status },
  });
}

/** The second officer confirms the proposal: it is the decision sent, with both officers' comments. */
async function sendProposal(
  s: Step,
  cloneSessionId: string,
  caller: DiditCaller,
  proposal: DecisionRow,
): Promise<Prepared> {
  const now = s.meta.now;
  await s.tx
    .update(importDecisions)
    .set({ state: "sent", secondBy: s.actorId, secondAt: now, secondComment: s.comment, updatedAt: now })
    .where(eq(importDecisions.id, proposal.id));
  await recordAudit(s.tx, s.meta, {
    action: "import.decision_submitted",
    entityType: "import",
    entityId: s.importId,
    data: {
      decisionId: proposal.id,
      status: proposal.status,
      proposedBy: proposal.decidedBy,
      comment: s.comment,
    },
  });
  await enqueueConfirm(s.tx, s.importId, proposal.id, now);
  return {
    kind: "send",
    decisionId: proposal.id,
    caller,
    cloneSessionId,
    status: proposal.status,
    comment: diditComment(proposal.comment, s.comment),
  };
}

/** One officer decides alone: the decision about to be sent. */
async function sendNewDecision(s: Step, cloneSessionId: string, caller: DiditCaller): Promise<Prepared> {
  const decisionId = randomUUID();
  const now = s.meta.now;
  await s.tx.insert(importDecisions).values({
    id: decisionId,
    importId: s.importId,
    status: s.status,
    comment: s.comment,
    state: "sent",
    decidedBy: s.actorId,
    decidedAt: now,
    createdAt: now,
    updatedAt: now,
  });
  await recordAudit(s.tx, s.meta, {
    action: "import.decision_submitted",
    entityType: "import",
    entityId: s.importId,
    data: { decisionId, status: s.status },
  });
  await enqueueConfirm(s.tx, s.importId, decisionId, now);
  return { kind: "send", decisionId, caller, cloneSessionId, status: s.status, comment: s.comment };
}

/**
 * The first transaction: lock the import, refuse unless it can be decided now, then write a
 * proposal (four eyes) or the decision about to be sent (`sent`, no `sentAt` yet: a concurrent
 * decision sees it and gets `decision_pending`), with its audit row and the confirmation job.
 */
export async function prepareDecision(
  ctx: ServiceContext,
  meta: AuditRequestMeta,
  importId: string,
  request: DecisionRequest,
): Promise<Prepared> {
  const actorId = ctx.actor!.id;
  return ctx.db.transaction(async (tx) => {
    const s: Step = { tx, meta, actorId, importId, status: request.status, comment: request.comment ?? null };
    const imp = await lockDecidableImport(tx, importId);
    const proposal = await openProposal(tx, importId);
    const fourEyes = (await partnerRequiresFourEyes(tx, imp.partnerId)) || proposal !== null;
    if (request.proposalId) checkConfirmedProposal(proposal, request.proposalId, request.status);
    if (fourEyes && !proposal) return writeProposal(s);
    // From here an open proposal means four eyes: this officer confirms it or disagrees.
    if (proposal && proposal.decidedBy === actorId) {
      throw new AppError(
        "own_proposal",
        "You proposed this decision: a second, different officer must confirm it.",
        { decisionId: proposal.id },
      );
    }
    if (proposal && proposal.status !== request.status) {
      await rejectForCounterProposal(s, proposal);
      return writeProposal(s);
    }
    const caller = await decidingCaller(tx, imp.applicationId);
    return proposal
      ? sendProposal(s, imp.cloneSessionId, caller, proposal)
      : sendNewDecision(s, imp.cloneSessionId, caller);
  });
}
