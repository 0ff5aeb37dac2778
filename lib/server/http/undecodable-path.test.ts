import { describe, expect, it } from "vitest";
import { isUndecodablePath, undecodablePathResponse } from "./undecodable-path";

describe("undecodable paths", () => {
  it("tells paths Next cannot decode from ones it can", () => {
    for (const bad of ["/api/users/%ff%fe", "/api/%c0", "/api/%", "/api/%zz", "/api/%e2%82"]) {
      expect(isUndecodablePath(bad), bad).toBe(true);
    }
    for (const good of ["/api/users", "/api/users/%41", "/api/%e2%82%ac", "/api/%25ff"]) {
      expect(isUndecodablePath(good), good).toBe(false);
    }
  });

  it("answers the JSON envelope with 400 bad_request", async () => {
    const res = undecodablePathResponse(new Request("http://x/api/%ff"));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; requestId: string } };
    expect(body.error.code).toBe("bad_request");
    expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
  });
});
