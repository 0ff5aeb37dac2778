import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PERMISSION_TABLE, PERMISSIONS, ROLES } from "./rbac";

// The README's "Roles and permissions" table is what people (and reviewers) read: it must say what
// lib/rbac.ts enforces, row for row.
const readme = readFileSync(path.resolve(import.meta.dirname, "../README.md"), "utf8");

function tableRows(): Map<string, string[]> {
  const section = readme.split("## Roles and permissions")[1]?.split("\n## ")[0] ?? "";
  const rows = new Map<string, string[]>();
  const lines = section.split("\n").filter((l) => l.startsWith("| `"));
  for (const line of lines) {
    const cells = line.split("|").map((c) => c.trim());
    // ["", "`perm`", "allows", admin, partnerships, officer, auditor, ""]
    const permission = cells[1]!.replace(/`/g, "");
    rows.set(
      permission,
      ROLES.filter((_, i) => cells[3 + i] === "✓"),
    );
  }
  return rows;
}

describe("README permission table", () => {
  it("has the roles as columns, in the code's order", () => {
    const section = readme.split("## Roles and permissions")[1] ?? "";
    const header = section.split("\n").find((l) => l.startsWith("| permission"));
    expect(
      header
        ?.split("|")
        .slice(3, 3 + ROLES.length)
        .map((c) => c.trim().replace(/`/g, "")),
    ).toEqual([...ROLES]);
  });

  it("lists every permission with exactly the roles lib/rbac.ts grants it", () => {
    const rows = tableRows();
    expect([...rows.keys()].sort()).toEqual([...PERMISSIONS].sort());
    for (const permission of PERMISSIONS) {
      expect(rows.get(permission), permission).toEqual(
        ROLES.filter((r) => PERMISSION_TABLE[r].includes(permission)),
      );
    }
  });
});
