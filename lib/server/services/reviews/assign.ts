import "server-only";
import { and, asc, eq } from "drizzle-orm";
import type { AssignRequest, ImportListItemDto, UserRefDto } from "@/lib/schemas/reviews";
import { imports, users } from "@/lib/server/db/schema";
import { AppError, assertCan, type ServiceContext } from "@/lib/server/kernel";
import { auditMeta, recordAudit } from "@/lib/server/services/audit";
import { loadItem } from "./items";

/** Who reviews an import: assigning it to an officer (or no one), and the officers one can pick. */

/** `POST /api/imports/{id}/assign`: "me", an active officer, or null (unassign). Audited `import.assigned`. */
export async function assignImport(
  ctx: ServiceContext,
  id: string,
  request: AssignRequest,
): Promise<ImportListItemDto> {
  assertCan(ctx, "reviews.decide");
  const meta = auditMeta(ctx);
  const to = request.assigneeId === "me" ? ctx.actor!.id : (request.assigneeId?.toLowerCase() ?? null);
  await ctx.db.transaction(async (tx) => {
    const [imp] = await tx.select().from(imports).where(eq(imports.id, id)).limit(1).for("update");
    if (!imp) throw new AppError("not_found", "No such import.");
    if (imp.state !== "imported") {
      throw new AppError(
        "conflict",
        `This import is ${imp.state}, not imported: there is no clone to review, so it cannot be assigned.`,
      );
    }
    if (to !== null && to !== ctx.actor!.id) {
      const [user] = await tx
        .select({ role: users.role, status: users.status })
        .from(users)
        .where(eq(users.id, to))
        .limit(1);
      if (!user || user.status !== "active" || user.role !== "officer") {
        throw new AppError("validation_failed", "Assign the review to an active compliance officer.", {
          fields: { assigneeId: ["Not an active compliance officer"] },
        });
      }
    }
    if (imp.assignedTo === to) return; // already so: nothing changes, nothing to audit
    await tx
      .update(imports)
      .set({ assignedTo: to, assignedAt: to ? meta.now : null, updatedAt: meta.now })
      .where(eq(imports.id, id));
    await recordAudit(tx, meta, {
      action: "import.assigned",
      entityType: "import",
      entityId: id,
      data: { from: imp.assignedTo, to },
    });
  });
  return loadItem(ctx.db, id, ctx.now(), ctx);
}

/**
 * The officers a review can be assigned to (`GET /api/imports/reviewers`): active users with the
 * officer role, by name. Officers cannot list users (`/api/users` is admin-only), so this answers
 * only what the reassign picker shows: id, name and email.
 */
export async function listReviewers(ctx: ServiceContext): Promise<{ items: UserRefDto[] }> {
  assertCan(ctx, "reviews.decide");
  const items = await ctx.db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(and(eq(users.role, "officer"), eq(users.status, "active")))
    .orderBy(asc(users.name), asc(users.email), asc(users.id));
  return { items };
}
