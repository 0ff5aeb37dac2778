import { describe, expect, it } from "vitest";
import { navigationFor, safeCallbackUrl } from "./navigation";

describe("navigation per role", () => {
  it("shows each role exactly the pages it may use", () => {
    const labels = (role: Parameters<typeof navigationFor>[0]) => navigationFor(role).map((i) => i.label);
    expect(labels("admin")).toEqual([
      "Dashboard",
      "Sessions",
      "Shares",
      "Inbox",
      "Reviews",
      "Recalls",
      "Partners",
      "Lineage",
      "Applications",
      "Audit trail",
      "Users",
      "Erasure",
    ]);
    expect(labels("auditor")).toEqual([
      "Dashboard",
      "Sessions",
      "Shares",
      "Inbox",
      "Reviews",
      "Recalls",
      "Partners",
      "Lineage",
      "Analytics",
      "Audit trail",
    ]);
    expect(labels("officer")).toEqual([
      "Dashboard",
      "Sessions",
      "Shares",
      "Inbox",
      "Reviews",
      "Recalls",
      "Partners",
      "Lineage",
      "Analytics",
    ]);
    expect(labels("partnerships")).toEqual([
      "Dashboard",
      "Sessions",
      "Shares",
      "Inbox",
      "Reviews",
      "Partners",
      "Analytics",
    ]);
  });
});

describe("safeCallbackUrl", () => {
  it.each([
    ["/audit?action=auth.", "/audit?action=auth."],
    ["/admin/users", "/admin/users"],
    [null, "/"],
    ["", "/"],
    ["https://evil.example/", "/"],
    ["//evil.example/x", "/"],
    ["/\\evil.example", "/"],
    ["javascript:alert(1)", "/"],
    ["/login?callbackUrl=/x", "/"],
    ["/api/users", "/"],
    ["/ok\nLocation: x", "/"],
  ])("%s → %s", (input, expected) => {
    expect(safeCallbackUrl(input)).toBe(expected);
  });
});
