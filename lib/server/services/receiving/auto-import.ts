import "server-only";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { inboxItems, partners } from "@/lib/server/db/schema";
import type { DbOrTx } from "@/lib/server/db/types";
import { AppError, createContext } from "@/lib/server/kernel";
import { defineJob, type JobContext } from "@/lib/server/jobs";
import { getLogger } from "@/lib/server/logger";
import { importByPolicy } from "./import";

/** A partner whose import policy is `auto`: its items are imported on arrival by this job. */
export const AUTO_IMPORT_QUEUE = "imports.auto";

type PartnerRow = typeof partners.$inferSelect;

/** The `auto` policy's job (`runAutoImport`), queued with the item by `enqueueAutoImport`. */
export const autoImportJob = defineJob({
  queue: AUTO_IMPORT_QUEUE,
  payload: z.object({ inboxItemId: z.string() }),
  handler: (job, { inboxItemId }) => runAutoImport(job, inboxItemId),
});

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
  const job = await autoImportJob.enqueue(
    tx,
    { inboxItemId: item.id },
    { deadline: item.expiresAt, singletonKey: item.id, now },
  );
  return job !== null;
}

/**
 * The `auto` policy's job: imports the item with the partner's defaults. A refusal is recorded on
 * the import and the item (and audited) like an officer's, so the job is done; an officer who
 * imported or rejected it first wins. Only an unrecorded failure (left `importing`) is retried.
 */
async function runAutoImport(job: JobContext, itemId: string): Promise<void> {
  const ctx = createContext(job.db, { requestId: `job:${job.jobId}` });
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

/** Both import queues: the `auto` policy's imports and the safety net's reconciliations. */
