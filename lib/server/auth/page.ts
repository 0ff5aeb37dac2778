import "server-only";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { safeCallbackUrl } from "@/lib/navigation";
import { can, type Permission } from "@/lib/rbac";
import { getDb } from "@/lib/server/db/client";
import type { Actor } from "@/lib/server/kernel";
import { resolveActor, SECURE_SESSION_COOKIE, SESSION_COOKIE } from "./session";

/** The one console page open while a one-time password awaits its change. */
export const CHANGE_PASSWORD_PATH = "/account/password";

/**
 * For server pages: the signed-in, active user, or a redirect to /login that comes back here.
 * A user still holding a one-time password is sent to the change-password page first.
 */
export async function requirePageActor(permission?: Permission): Promise<{ actor: Actor; allowed: boolean }> {
  const h = await headers();
  const actor = await resolveActor(h, await getDb());
  const here = safeCallbackUrl(h.get("x-handoff-path"), "/");
  if (!actor) {
    redirect(here === "/" ? "/login" : `/login?callbackUrl=${encodeURIComponent(here)}`);
  }
  if (actor.mustChangePassword && here.split(/[?#]/)[0] !== CHANGE_PASSWORD_PATH) {
    redirect(CHANGE_PASSWORD_PATH);
  }
  return { actor, allowed: permission ? can(actor.role, permission) : true };
}

export async function currentActor(): Promise<Actor | null> {
  return resolveActor(await headers(), await getDb());
}

/**
 * Where a sign-in that has just set its session cookie (in a Server Action) should land: the
 * change-password page while a one-time password awaits change, else `callbackUrl`. Decided here
 * because a redirect to a page that itself redirects does not settle on the client.
 */
export async function landingAfterSignIn(callbackUrl: string): Promise<string> {
  const jar = await cookies();
  const set = [SECURE_SESSION_COOKIE, SESSION_COOKIE].map((name) => jar.get(name)).find(Boolean);
  if (!set) return callbackUrl;
  const actor = await resolveActor(new Headers({ cookie: `${set.name}=${set.value}` }), await getDb());
  return actor?.mustChangePassword ? CHANGE_PASSWORD_PATH : callbackUrl;
}
