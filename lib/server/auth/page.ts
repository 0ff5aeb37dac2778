import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { safeCallbackUrl } from "@/lib/navigation";
import { can, type Permission } from "@/lib/rbac";
import { getDb } from "@/lib/server/db/client";
import type { Actor } from "@/lib/server/services/context";
import { resolveActor } from "./session";

/** For server pages: the signed-in, active user, or a redirect to /login that comes back here. */
export async function requirePageActor(permission?: Permission): Promise<{ actor: Actor; allowed: boolean }> {
  const h = await headers();
  const actor = await resolveActor(h, await getDb());
  if (!actor) {
    const here = safeCallbackUrl(h.get("x-handoff-path"), "/");
    redirect(here === "/" ? "/login" : `/login?callbackUrl=${encodeURIComponent(here)}`);
  }
  return { actor, allowed: permission ? can(actor.role, permission) : true };
}

export async function currentActor(): Promise<Actor | null> {
  return resolveActor(await headers(), await getDb());
}
