import "server-only";
import { and, eq, inArray, ne } from "drizzle-orm";
import { z } from "zod";
import type { ImportDto } from "@/lib/schemas/imports";
import { connectedApplications, imports } from "@/lib/server/db/schema";
import type { DiditCaller, DiditClient } from "@/lib/server/didit/types";
import { createContext, diditOf, type ServiceContext, type ServiceDeps } from "@/lib/server/kernel";
import { defineJob } from "@/lib/server/jobs";
import { recordClone, recordFailure, systemMeta, type Clone } from "./outcome";

/**
 * The safety net of an import (we are Service Y): a lost answer is never retried blindly. The
 * import's vendor_data (always sent) finds the clone by listing sessions and matching
 * `shared_from_session`; a job does the same for an import left `importing` by a crash between
 * the two transactions.
 */

export const RECONCILE_QUEUE = "imports.reconcile";
/** Well past the Didit client's timeout: an import still `importing` by then lost its answer. */
export const RECONCILE_AFTER_MS = 2 * 60_000;
/** Sessions with one vendor_data whose decision is fetched when looking for a lost clone. */
const RECONCILE_CANDIDATES = 50;

type ImportRow = typeof imports.$inferSelect;

/**
 * Looks for the clone a lost import may have created: sessions of our application with the
 * import's vendor_data and kind (newest first, as Didit lists them), not already recorded as
 * another import's clone, whose decision names the token's source as `shared_from_session`.
 */
export async function findLostClone(
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

/**
 * An import still `importing` (a crash between Didit's answer and the second transaction, or an
 * answer lost while Didit could not be asked): looks for its clone by vendor_data; found →
 * imported; not found → failed, the token still unredeemed. Answers the import's state.
 */
export async function reconcileImport(
  ctx: ServiceContext,
  importId: string,
  deps: ServiceDeps = {},
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
  const clone = await findLostClone(ctx.db, diditOf(deps), caller, row.imp);
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

/** The safety net's job: decides an import still `importing` once its answer is surely lost. */
export const reconcileImportJob = defineJob({
  queue: RECONCILE_QUEUE,
  payload: z.object({ importId: z.string() }),
  retry: { maxAttempts: 10 },
  handler: async (job, { importId }) => {
    await reconcileImport(createContext(job.db, { requestId: `job:${job.jobId}` }), importId);
  },
});
