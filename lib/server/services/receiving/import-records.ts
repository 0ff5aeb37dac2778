import "server-only";
import { eq, inArray } from "drizzle-orm";
import type { ImportDto } from "@/lib/schemas/imports";
import { connectedApplications, imports, partners, users } from "@/lib/server/db/schema";
import type { Tx } from "@/lib/server/db/types";
import { AppError, type ServiceContext } from "@/lib/server/kernel";

/** Reading imports: the one row → DTO mapping, by id, by inbox item, by several inbox items. */

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
