import "server-only";
import { isRole, type Role } from "@/lib/rbac";

/** The role named by the identity provider's claim (a string or a list; the first valid one wins). */
export function roleFromClaim(profile: Record<string, unknown> | undefined, claim: string): Role | null {
  const value = profile?.[claim];
  const candidates = Array.isArray(value) ? value : [value];
  for (const c of candidates) if (isRole(c)) return c;
  return null;
}
