/** Roles, permissions and the one table between them. Pure: used by the server and the UI. */
export const ROLES = ["admin", "partnerships", "officer", "auditor"] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  admin: "Administrator",
  partnerships: "Partnership manager",
  officer: "Compliance officer",
  auditor: "Auditor",
};

export const PERMISSIONS = [
  "dashboard.view",
  "users.read",
  "users.manage",
  "audit.read",
  "audit.verify",
  "applications.read",
  "applications.manage",
  "partners.read",
  "partners.manage",
  "sessions.read",
  "shares.create",
  "shares.read",
  "imports.create",
  "inbox.read",
  "reviews.decide",
  "lineage.read",
  "evidence.export",
  "analytics.view",
  "recalls.manage",
  "erasure.request",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const ALL_READS: Permission[] = [
  "dashboard.view",
  "applications.read",
  "partners.read",
  "sessions.read",
  "shares.read",
  "inbox.read",
];

export const PERMISSION_TABLE: Record<Role, readonly Permission[]> = {
  admin: [
    ...ALL_READS,
    "users.read",
    "users.manage",
    "audit.read",
    "audit.verify",
    "applications.manage",
    "lineage.read",
    "erasure.request",
  ],
  partnerships: [...ALL_READS, "partners.manage", "analytics.view"],
  officer: [
    ...ALL_READS,
    "shares.create",
    "imports.create",
    "reviews.decide",
    "lineage.read",
    "analytics.view",
    "recalls.manage",
  ],
  auditor: [...ALL_READS, "audit.read", "audit.verify", "lineage.read", "evidence.export", "analytics.view"],
};

const lookup: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set(PERMISSION_TABLE.admin),
  partnerships: new Set(PERMISSION_TABLE.partnerships),
  officer: new Set(PERMISSION_TABLE.officer),
  auditor: new Set(PERMISSION_TABLE.auditor),
};

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export function can(role: Role | null | undefined, permission: Permission): boolean {
  if (!role || !isRole(role)) return false;
  return lookup[role].has(permission);
}
