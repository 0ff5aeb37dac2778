import { describe, expect, it } from "vitest";
import { roleFromClaim } from "./oidc";

describe("roleFromClaim", () => {
  it("reads a string claim", () => {
    expect(roleFromClaim({ handoff_role: "officer" }, "handoff_role")).toBe("officer");
  });
  it("takes the first valid role of a list", () => {
    expect(roleFromClaim({ groups: ["staff", "auditor", "admin"] }, "groups")).toBe("auditor");
  });
  it("refuses a missing, unknown or differently cased role", () => {
    expect(roleFromClaim({}, "handoff_role")).toBeNull();
    expect(roleFromClaim({ handoff_role: "superuser" }, "handoff_role")).toBeNull();
    expect(roleFromClaim({ handoff_role: "Admin" }, "handoff_role")).toBeNull();
    expect(roleFromClaim(undefined, "handoff_role")).toBeNull();
  });
  it("uses the configured claim name only", () => {
    expect(roleFromClaim({ role: "admin", handoff_role: "auditor" }, "role")).toBe("admin");
  });
});
