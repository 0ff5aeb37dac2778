import "server-only";
import { can, type Permission } from "@/lib/rbac";
import type { ServiceContext } from "./context";
import { AppError } from "./errors";

/** Refuses a verb to an anonymous caller (401) or a role without the permission (403). */
export function assertCan(ctx: ServiceContext, permission: Permission): void {
  if (!ctx.actor) throw new AppError("unauthenticated", "Sign in to continue.");
  if (!can(ctx.actor.role, permission)) throw new AppError("forbidden", "Your role does not allow this.");
}
