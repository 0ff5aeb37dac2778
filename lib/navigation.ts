import { can, type Permission, type Role } from "./rbac";

/** The console's pages, each with the permission it needs. Only pages that exist are listed. */
export const NAV_ITEMS: { href: string; label: string; permission: Permission }[] = [
  { href: "/", label: "Dashboard", permission: "dashboard.view" },
  { href: "/sessions", label: "Sessions", permission: "sessions.read" },
  { href: "/shares", label: "Shares", permission: "shares.read" },
  { href: "/inbox", label: "Inbox", permission: "inbox.read" },
  { href: "/reviews", label: "Reviews", permission: "inbox.read" },
  // Officers, auditors and admins (those who follow where a verification went) see the recalls.
  { href: "/recalls", label: "Recalls", permission: "lineage.read" },
  { href: "/partners", label: "Partners", permission: "partners.read" },
  { href: "/lineage", label: "Lineage", permission: "lineage.read" },
  { href: "/analytics", label: "Analytics", permission: "analytics.view" },
  { href: "/applications", label: "Applications", permission: "applications.manage" },
  { href: "/audit", label: "Audit trail", permission: "audit.read" },
  { href: "/admin/users", label: "Users", permission: "users.manage" },
  { href: "/erasure", label: "Erasure", permission: "erasure.request" },
];

export function navigationFor(role: Role) {
  return NAV_ITEMS.filter((item) => can(role, item.permission));
}

/** A callbackUrl is followed only when it is a path on this site (no scheme, no host, no `//`). */
export function safeCallbackUrl(value: string | null | undefined, fallback = "/"): string {
  if (!value || typeof value !== "string") return fallback;
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return fallback;
  if (/[\u0000-\u001f\\]/.test(value)) return fallback;
  if (value.startsWith("/login") || value.startsWith("/api/")) return fallback;
  return value;
}
