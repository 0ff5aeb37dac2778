import "server-only";
import { and, eq, isNull, ne } from "drizzle-orm";
import { connectedApplications } from "@/lib/server/db/schema";
import type { DiditCaller } from "@/lib/server/didit/types";
import { isUuid, type ServiceContext } from "@/lib/server/kernel";

/** Our connected applications whose keys read the review's sides: the clone's, and a sister brand's. */

export type ApplicationRow = {
  id: string;
  name: string;
  apiKeyCiphertext: string | null;
  deletedAt: Date | null;
};

export function callerOf(app: ApplicationRow): DiditCaller | null {
  return app.deletedAt === null && app.apiKeyCiphertext
    ? { id: app.id, apiKeyCiphertext: app.apiKeyCiphertext }
    : null;
}

export const APP_COLUMNS = {
  id: connectedApplications.id,
  name: connectedApplications.name,
  apiKeyCiphertext: connectedApplications.apiKeyCiphertext,
  deletedAt: connectedApplications.deletedAt,
} as const;

export async function applicationRow(ctx: ServiceContext, id: string): Promise<ApplicationRow | null> {
  const [row] = await ctx.db
    .select(APP_COLUMNS)
    .from(connectedApplications)
    .where(eq(connectedApplications.id, id))
    .limit(1);
  return row ?? null;
}

/** One of our other (non-deleted) connected applications whose Didit uuid is `diditApplicationId`. */
export async function sisterApplication(
  ctx: ServiceContext,
  diditApplicationId: string,
  ownApplicationId: string,
): Promise<ApplicationRow | null> {
  if (!isUuid(diditApplicationId)) return null;
  const [row] = await ctx.db
    .select(APP_COLUMNS)
    .from(connectedApplications)
    .where(
      and(
        eq(connectedApplications.diditApplicationId, diditApplicationId.toLowerCase()),
        isNull(connectedApplications.deletedAt),
        ne(connectedApplications.id, ownApplicationId),
      ),
    )
    .limit(1);
  return row ?? null;
}
