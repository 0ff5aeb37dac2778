import { SignJWT } from "jose";
import { describe, expect, it, vi } from "vitest";
import { ERROR_STATUS } from "@/lib/server/http/errors";
import { IMPORT_ERRORS, PERMISSION_DENIED, FINISHED_ONLY, NOT_FOUND } from "@/test/sandbox-fixtures";
import { DIDIT_ERROR_CODES, DiditError, mapRefusal, MESSAGES } from "./errors";

const NOW = 1_800_000_000;
const ctx = { nowSeconds: NOW };
const OURS = "11111111-1111-4111-8111-111111111111";
const THEIRS = "22222222-2222-4222-8222-222222222222";

async function token(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .sign(new TextEncoder().encode("x".repeat(32)));
}

describe("import refusals (didit-api.md §4), both profiles, by status and body", () => {
  const expected = {
    invalid: "token_invalid",
    expired: "token_expired",
    wrongApp: "token_not_for_us",
    already: "already_imported",
    sourceDeleted: "source_deleted",
    workflow: "workflow_not_found",
  } as const;
  for (const profile of ["recipe", "spec"] as const) {
    it.each(Object.entries(expected))(`${profile}: %s → %s`, (row, code) => {
      const { status, body } = IMPORT_ERRORS[profile][row]!;
      const refusal = mapRefusal("importShared", status, body, ctx);
      expect(refusal.code).toBe(code);
      expect(refusal.message).toBe(MESSAGES[code]);
    });
  }

  it("the spec's field error on workflow_id is a workflow problem", () => {
    expect(mapRefusal("importShared", 400, { workflow_id: ["Must be a valid UUID."] }, ctx).code).toBe(
      "workflow_not_found",
    );
  });

  it("a key without the privilege is the key's problem, not the token's", () => {
    expect(mapRefusal("importShared", 403, PERMISSION_DENIED, ctx).code).toBe("key_rejected");
  });
});

describe("the recipe's bare statuses: told apart by the token itself", () => {
  it("401: expired when the token's exp has passed, else invalid", async () => {
    const expired = await token({ exp: NOW - 1, for_application_id: OURS });
    const live = await token({ exp: NOW + 60, for_application_id: OURS });
    expect(mapRefusal("importShared", 401, null, { ...ctx, shareToken: expired }).code).toBe("token_expired");
    expect(mapRefusal("importShared", 401, null, { ...ctx, shareToken: live }).code).toBe("token_invalid");
    expect(mapRefusal("importShared", 401, "<html>", { ...ctx, shareToken: "not-a-jwt" }).code).toBe(
      "token_invalid",
    );
  });

  it("403: already imported when the token is for us, not for us otherwise", async () => {
    const forUs = await token({ exp: NOW + 60, for_application_id: OURS.toUpperCase() });
    const forThem = await token({ exp: NOW + 60, for_application_id: THEIRS });
    const withUs = { ...ctx, expectedApplicationId: OURS };
    expect(mapRefusal("importShared", 403, null, { ...withUs, shareToken: forUs }).code).toBe(
      "already_imported",
    );
    expect(mapRefusal("importShared", 403, {}, { ...withUs, shareToken: forThem }).code).toBe(
      "token_not_for_us",
    );
    // Without knowing our own id the client cannot tell: the token was not for this application.
    expect(mapRefusal("importShared", 403, null, { ...ctx, shareToken: forUs }).code).toBe(
      "token_not_for_us",
    );
  });

  it("404 without a body: the source is gone", () => {
    expect(mapRefusal("importShared", 404, null, ctx).code).toBe("source_deleted");
    expect(mapRefusal("importShared", 404, NOT_FOUND, ctx).code).toBe("source_deleted");
  });
});

describe("share refusals (didit-api.md §3)", () => {
  it.each([
    [400, FINISHED_ONLY, "session_not_finished"],
    [400, { for_application_id: ["Target application does not exist."] }, "unknown_target_application"],
    [400, { for_application_id: ["Must be a valid UUID."] }, "unknown_target_application"],
    [400, { for_application_id: ["Cannot share a session with the same application."] }, "same_application"],
    [400, { ttl_in_seconds: ["Ensure this value is greater than or equal to 60."] }, "ttl_out_of_range"],
    [400, { ttl_in_seconds: ["Ensure this value is less than or equal to 86400."] }, "ttl_out_of_range"],
    [404, NOT_FOUND, "not_found"],
    [401, { detail: "Incorrect authentication credentials." }, "key_rejected"],
    [403, PERMISSION_DENIED, "key_rejected"],
    [400, { detail: "JSON parse error - Unexpected end" }, "upstream_error"],
    [418, null, "upstream_error"],
  ])("%i %j → %s", (status, body, code) => {
    expect(mapRefusal("share", status, body, ctx).code).toBe(code);
  });

  it("key_rejected tells the officer who must act and where", () => {
    expect(mapRefusal("share", 401, null, ctx).message).toBe(
      "Didit refused this application's API key: an admin must check this application's API key on /applications.",
    );
  });
});

describe("other endpoints", () => {
  it("403 and 401 are the key's problem; 404 is not_found", () => {
    for (const op of [
      "listSessions",
      "getDecision",
      "deleteSession",
      "updateStatus",
      "listWebhookDestinations",
    ] as const) {
      expect(mapRefusal(op, 403, PERMISSION_DENIED, ctx).code).toBe("key_rejected");
      expect(mapRefusal(op, 401, null, ctx).code).toBe("key_rejected");
    }
    expect(mapRefusal("getDecision", 404, NOT_FOUND, ctx).code).toBe("not_found");
    expect(mapRefusal("getWebhookDestination", 404, NOT_FOUND, ctx).message).toMatch(/webhook destination/);
  });

  it("update-status conflicts", () => {
    const same = mapRefusal(
      "updateStatus",
      400,
      { detail: ["The new status is the same as the current status."] },
      ctx,
    );
    expect(same.code).toBe("conflict");
    const from = mapRefusal(
      "updateStatus",
      400,
      { detail: ['Cannot update the status of a session in status "NOT_STARTED".'] },
      ctx,
    );
    expect(from.code).toBe("conflict");
  });

  it("webhook destination field errors name the field, never Didit's words", () => {
    const dup = mapRefusal(
      "createWebhookDestination",
      400,
      { url: ["A webhook destination with this URL already exists for this application."] },
      ctx,
    );
    expect(dup).toMatchObject({ code: "conflict", field: "url" });
    const bad = mapRefusal("createWebhookDestination", 400, { url: ["Enter a valid URL."] }, ctx);
    expect(bad).toMatchObject({ code: "validation_failed", field: "url" });
    expect(bad.message).not.toContain("Enter a valid URL");
    const events = mapRefusal(
      "updateWebhookDestination",
      400,
      { subscribed_events: ['"x" is not a valid choice.'] },
      ctx,
    );
    expect(events).toMatchObject({ code: "validation_failed", field: "subscribed_events" });
  });
});

describe("DiditError", () => {
  it("every code has an HTTP status in the one table", () => {
    for (const code of DIDIT_ERROR_CODES) expect(ERROR_STATUS[code]).toBeGreaterThanOrEqual(400);
    expect(new DiditError("token_expired", MESSAGES.token_expired).status).toBe(422);
    expect(new DiditError("key_rejected", MESSAGES.key_rejected).status).toBe(502);
    expect(new DiditError("upstream_timeout", "x").status).toBe(504);
  });

  it("serialises to its code, message and details only", () => {
    const e = new DiditError("rate_limited", "wait", { retryAfterSeconds: 3 }, "share");
    expect(JSON.parse(JSON.stringify(e))).toEqual({
      name: "DiditError",
      code: "rate_limited",
      message: "wait",
      details: { retryAfterSeconds: 3 },
    });
    expect(new DiditError("not_found", "x", {}).details).toBeUndefined();
  });
});

describe("DiditError across bundles", () => {
  it("is recognised by instanceof when thrown by another copy of the module whose class name was minified", async () => {
    const first = await import("./errors");
    vi.resetModules();
    const second = await import("./errors");
    expect(second.DiditError).not.toBe(first.DiditError);
    // As in `next build`'s server chunks: `class d extends a.A { … }`.
    Object.defineProperty(first.DiditError, "name", { value: "d" });
    Object.defineProperty(second.DiditError, "name", { value: "" });
    const foreign = new second.DiditError("workflow_not_found", "refused", { upstreamStatus: 404 });
    expect(foreign.name).toBe("DiditError");
    expect(foreign instanceof first.DiditError).toBe(true);
    const { AppError } = await import("@/lib/server/http/errors");
    expect(new AppError("conflict", "not Didit's") instanceof first.DiditError).toBe(false);
  });
});
