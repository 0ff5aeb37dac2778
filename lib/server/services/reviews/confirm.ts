import "server-only";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { DecisionDto } from "@/lib/schemas/reviews";
import { connectedApplications, importDecisions, imports } from "@/lib/server/db/schema";
import type { Tx } from "@/lib/server/db/types";
import { AppError, diditOf, type ServiceContext, type ServiceDeps } from "@/lib/server/kernel";
import { defineJob } from "@/lib/server/jobs";
import { getLogger } from "@/lib/server/logger";
import { failDecision } from "./outcome";
import { diditMeta, syncImportStatus } from "./status";

/**
 * The safety net after a decision was sent: the `reviews.confirm` job, queued with the decision,
 * checks the clone at Didit once the webhook should have confirmed it.
 */

export const CONFIRM_QUEUE = "reviews.confirm";
/** Well past the Didit client's timeout and retries: the webhook has normally confirmed by then. */
export const CONFIRM_AFTER_MS = 2 * 60_000;

/**
 * The safety net after a decision was sent (`reviews.confirm`): reads the clone's decision and
 * applies its status as a webhook would; a decision still `sent` whose status Didit does not hold
 * did not take effect (a lost answer, a crash, a change since) and becomes `failed`.
 */
export async function confirmDecision(
  db: ServiceContext["db"],
  input: { importId: string; decisionId: string; requestId?: string },
  deps: ServiceDeps = {},
): Promise<DecisionDto["state"] | null> {
  const [row] = await db
    .select({ d: importDecisions, imp: imports, app: connectedApplications })
    .from(importDecisions)
    .innerJoin(imports, eq(imports.id, importDecisions.importId))
    .innerJoin(connectedApplications, eq(connectedApplications.id, imports.applicationId))
    .where(and(eq(importDecisions.id, input.decisionId), eq(importDecisions.importId, input.importId)))
    .limit(1);
  if (!row) return null;
  if (row.d.state !== "sent") return row.d.state;
  const meta = diditMeta(new Date(), input.requestId ?? "system");
  if (!row.app.apiKeyCiphertext || !row.imp.cloneSessionId) {
    await db.transaction((tx) =>
      failDecision(tx, meta, row.imp.id, row.d.id, {
        code: "key_rejected",
        reason: `${row.app.name} has no API key any more, so Handoff cannot check whether Didit took this decision: an admin must set the key, then reload the review.`,
      }),
    );
    return "failed";
  }
  const caller = { id: row.app.id, apiKeyCiphertext: row.app.apiKeyCiphertext };
  const cloneSessionId = row.imp.cloneSessionId;
  let status: string;
  try {
    status = (await diditOf(deps).getDecision(caller, cloneSessionId)).status;
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") {
      await db.transaction((tx) =>
        failDecision(tx, meta, row.imp.id, row.d.id, {
          code: "not_found",
          reason: "Didit no longer has this session: the decision cannot take effect.",
        }),
      );
      return "failed";
    }
    throw error; // Didit cannot be asked now: the job tries again
  }
  return db.transaction(async (tx) => {
    await syncImportStatus(tx, meta, {
      applicationId: row.imp.applicationId,
      sessionId: cloneSessionId,
      status,
      source: "check",
    });
    const [d] = await tx.select().from(importDecisions).where(eq(importDecisions.id, row.d.id)).limit(1);
    if (d?.state !== "sent") return d?.state ?? null;
    await failDecision(tx, meta, row.imp.id, row.d.id, {
      code: "conflict",
      reason: d.sentAt
        ? `Didit accepted ${d.status}, but the session is ${status} at Didit now: its status changed since. Reload the review.`
        : `Didit holds this session as ${status}, not ${d.status}: the decision did not take effect. Decide again.`,
    });
    return "failed";
  });
}

/** `reviews.confirm`: one sent decision to check at Didit (see `confirmDecision`). */
export const confirmDecisionJob = defineJob({
  queue: CONFIRM_QUEUE,
  payload: z.object({ importId: z.string(), decisionId: z.string() }),
  retry: { maxAttempts: 10 },
  handler: async (job, { importId, decisionId }) => {
    const state = await confirmDecision(job.db, { importId, decisionId, requestId: `job:${job.jobId}` });
    getLogger().debug({ importId, decisionId, state }, "a sent decision was checked at Didit");
  },
});

/** Queues the check that confirms (or fails) a sent decision if Didit's webhook does not come. */
export async function enqueueConfirm(tx: Tx, importId: string, decisionId: string, now: Date): Promise<void> {
  await confirmDecisionJob.enqueue(
    tx,
    { importId, decisionId },
    { runAt: new Date(now.getTime() + CONFIRM_AFTER_MS), singletonKey: decisionId, now },
  );
}
