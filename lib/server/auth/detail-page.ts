import "server-only";
import { forbidden, notFound } from "next/navigation";
import type { Permission } from "@/lib/rbac";
import { getDb } from "@/lib/server/db/client";
import { AppError } from "@/lib/server/http/errors";
import { createContext, type Actor, type ServiceContext } from "@/lib/server/kernel";
import { requirePageActor } from "./page";
import { UUID_RE } from "@/lib/ids";

/**
 * For a server page `/…/[id]` that loads its record before it renders: the signed-in actor
 * (requirePageActor), forbidden() without `permission`, notFound() for an `id` that is not a UUID,
 * then `load` as that actor for the id lower-cased; a `not_found` AppError from it is notFound(),
 * any other error is thrown on.
 */
export async function loadDetailPage<T>(
  permission: Permission,
  id: string,
  load: (ctx: ServiceContext, id: string) => Promise<T>,
): Promise<{ actor: Actor; detail: T }> {
  const { actor, allowed } = await requirePageActor(permission);
  if (!allowed) forbidden();
  if (!UUID_RE.test(id)) notFound();
  const ctx = createContext(await getDb(), { actor });
  const detail = await load(ctx, id.toLowerCase()).catch((error: unknown) => {
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  });
  return { actor, detail };
}
