import { describe, expect, it } from "vitest";

import {
  duplicateKey,
  importError,
  shareSuccessStatus,
  type ImportErrorKind,
} from "@/lib/server/sandbox/profiles";

const KINDS: ImportErrorKind[] = [
  "invalid_token",
  "expired",
  "wrong_application",
  "already_imported",
  "source_deleted",
  "workflow_not_found",
];

describe("profiles", () => {
  it("answers share with 201 in the recipe and 200 in the spec", () => {
    expect(shareSuccessStatus("recipe")).toBe(201);
    expect(shareSuccessStatus("spec")).toBe(200);
  });

  it("uses the recipe's statuses with DRF detail bodies", () => {
    expect(KINDS.map((k) => importError("recipe", k).status)).toEqual([401, 401, 403, 403, 404, 404]);
    for (const k of KINDS) {
      const body = importError("recipe", k).body as { detail: unknown };
      expect(Object.keys(body)).toEqual(["detail"]);
      expect(typeof body.detail).toBe("string");
    }
    // Each case is distinguishable by its message, not only its status.
    expect(new Set(KINDS.map((k) => JSON.stringify(importError("recipe", k).body))).size).toBe(KINDS.length);
  });

  it("uses the published spec's table exactly", () => {
    expect(importError("spec", "invalid_token")).toEqual({
      status: 400,
      body: { share_token: ["Invalid share token."] },
    });
    expect(importError("spec", "expired")).toEqual({
      status: 400,
      body: { share_token: ["Share token has expired."] },
    });
    expect(importError("spec", "wrong_application")).toEqual({
      status: 400,
      body: { share_token: ["This token is not valid for this application."] },
    });
    expect(importError("spec", "already_imported")).toEqual({
      status: 403,
      body: { detail: "This session has already been shared with your application." },
    });
    expect(importError("spec", "source_deleted")).toEqual({
      status: 400,
      body: { share_token: ["Original session does not exist."] },
    });
    expect(importError("spec", "workflow_not_found")).toEqual({
      status: 404,
      body: { detail: "Workflow does not exist for this application." },
    });
  });

  it("returns bodies a caller can mutate without corrupting the table", () => {
    const first = importError("spec", "expired").body as { share_token: string[] };
    first.share_token.push("mutated");
    expect(importError("spec", "expired").body).toEqual({ share_token: ["Share token has expired."] });
  });

  it("keys duplicates on the token in the recipe and on the source session in the spec", () => {
    expect(duplicateKey("recipe")).toBe("token");
    expect(duplicateKey("spec")).toBe("source_session");
  });
});
