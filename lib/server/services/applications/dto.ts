import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import type {
  ApplicationDto,
  ApplicationSummaryDto,
  ApplicationSyncDto,
  WebhookState,
} from "@/lib/schemas/applications";
import { can } from "@/lib/rbac";
import { connectedApplications } from "@/lib/server/db/schema/sharing";
import type { DbOrTx } from "@/lib/server/db/types";
import type { DiditCaller } from "@/lib/server/didit/types";
import { AppError, type ServiceContext } from "@/lib/server/kernel";

/** Connected applications' rows as the API shows them, and the row lookups every verb shares. */

export type ApplicationRow = typeof connectedApplications.$inferSelect;

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function toSyncDto(row: ApplicationRow): ApplicationSyncDto {
  return {
    state: row.syncState,
    total: row.syncTotal,
    done: row.syncDone,
    startedAt: iso(row.syncStartedAt),
    finishedAt: iso(row.syncFinishedAt),
    backfilledAt: iso(row.syncBackfilledAt),
    error: row.syncError,
  };
}

export function toApplicationSummaryDto(row: ApplicationRow): ApplicationSummaryDto {
  return {
    id: row.id,
    name: row.name,
    diditApplicationId: row.diditApplicationId,
    environment: row.environment,
    sync: toSyncDto(row),
    workflows: row.workflows,
  };
}

function webhookState(row: ApplicationRow): WebhookState {
  if (row.webhookDestinationId && row.webhookSecretCiphertext) return "registered";
  return row.webhookError ? "failed" : "pending";
}

export function toApplicationDto(row: ApplicationRow): ApplicationDto {
  return {
    ...toApplicationSummaryDto(row),
    apiKeyLast4: row.apiKeyLast4,
    apiKeyCheckedAt: iso(row.apiKeyCheckedAt),
    apiKeyError: row.apiKeyError,
    webhook: {
      state: webhookState(row),
      url: row.webhookUrl,
      registeredAt: iso(row.webhookRegisteredAt),
      error: row.webhookError,
      lastEventAt: iso(row.lastWebhookAt),
    },
    defaultWorkflowUser: row.defaultWorkflowUser,
    defaultWorkflowBusiness: row.defaultWorkflowBusiness,
    retentionDays: row.retentionDays,
    retentionRunAt: iso(row.retentionRunAt),
    retentionError: row.retentionError,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The admin view for those who manage applications, the summary for every other role. */
export function dtoFor(ctx: ServiceContext, row: ApplicationRow): ApplicationDto | ApplicationSummaryDto {
  return can(ctx.actor?.role, "applications.manage") ? toApplicationDto(row) : toApplicationSummaryDto(row);
}

/** This console's receiver for one application's Didit webhooks. */
export function receiverUrl(origin: string, applicationId: string): string {
  return `${origin}/api/webhooks/didit/${applicationId}`;
}

/** How the Didit client is told who calls: the row id and the sealed key (opened inside the client). */
export function callerOf(row: Pick<ApplicationRow, "id" | "apiKeyCiphertext">): DiditCaller {
  if (!row.apiKeyCiphertext) {
    throw new AppError("conflict", "This application has no API key any more: it was removed from Handoff.");
  }
  return { id: row.id, apiKeyCiphertext: row.apiKeyCiphertext };
}

const NOT_FOUND = "No such connected application.";

export async function loadLive(db: DbOrTx, id: string, lock = false): Promise<ApplicationRow> {
  const q = db
    .select()
    .from(connectedApplications)
    .where(and(eq(connectedApplications.id, id), isNull(connectedApplications.deletedAt)))
    .limit(1);
  const [row] = lock ? await q.for("update") : await q;
  if (!row) throw new AppError("not_found", NOT_FOUND);
  return row;
}

export function neverSynced(row: ApplicationRow): boolean {
  return row.syncState === "idle" && row.syncStartedAt === null && row.syncBackfilledAt === null;
}
