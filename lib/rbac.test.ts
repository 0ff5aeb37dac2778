import { describe, expect, it } from "vitest";
import { can, isRole, PERMISSIONS, ROLES, type Permission, type Role } from "./rbac";

// Written out independently of PERMISSION_TABLE: a change to either must be deliberate.
const EXPECTED: Record<Permission, Role[]> = {
  "dashboard.view": ["admin", "partnerships", "officer", "auditor"],
  "users.read": ["admin"],
  "users.manage": ["admin"],
  "audit.read": ["admin", "auditor"],
  "audit.verify": ["admin", "auditor"],
  "applications.read": ["admin", "partnerships", "officer", "auditor"],
  "applications.manage": ["admin"],
  "partners.read": ["admin", "partnerships", "officer", "auditor"],
  "partners.manage": ["partnerships"],
  "sessions.read": ["admin", "partnerships", "officer", "auditor"],
  "shares.create": ["officer"],
  "shares.read": ["admin", "partnerships", "officer", "auditor"],
  "imports.create": ["officer"],
  "inbox.read": ["admin", "partnerships", "officer", "auditor"],
  "reviews.decide": ["officer"],
  "lineage.read": ["admin", "officer", "auditor"],
  "evidence.export": ["auditor"],
  "analytics.view": ["partnerships", "officer", "auditor"],
  "recalls.manage": ["officer"],
  "erasure.request": ["admin"],
};

describe("permission table", () => {
  it("lists an expectation for every permission", () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...PERMISSIONS].sort());
  });

  for (const role of ROLES) {
    for (const permission of PERMISSIONS) {
      const allowed = EXPECTED[permission].includes(role);
      it(`${role} ${allowed ? "may" : "may not"} ${permission}`, () => {
        expect(can(role, permission)).toBe(allowed);
      });
    }
  }

  it("denies unknown or missing roles", () => {
    expect(can(null, "dashboard.view")).toBe(false);
    expect(can(undefined, "dashboard.view")).toBe(false);
    expect(can("root" as Role, "users.manage")).toBe(false);
    expect(isRole("admin")).toBe(true);
    expect(isRole("Admin")).toBe(false);
  });
});
