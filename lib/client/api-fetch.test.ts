import { afterEach, describe, expect, it, vi } from "vitest";
import { apiFetch } from "./api-fetch";

describe("apiFetch request shape", () => {
  afterEach(() => vi.unstubAllGlobals());

  function capture() {
    const calls: { method: string; headers: Headers; body: unknown }[] = [];
    vi.stubGlobal("fetch", async (_path: string, init: RequestInit) => {
      calls.push({ method: init.method ?? "GET", headers: new Headers(init.headers), body: init.body });
      return Response.json({ ok: true });
    });
    return calls;
  }

  it("declares JSON on every state change, sending {} when there is no body (the server's CSRF rule)", async () => {
    const calls = capture();
    await apiFetch("/api/x", { method: "POST" });
    await apiFetch("/api/x", { method: "DELETE" });
    await apiFetch("/api/x", { method: "PATCH", json: { a: 1 } });
    expect(calls.map((c) => [c.method, c.headers.get("content-type"), c.body])).toEqual([
      ["POST", "application/json", "{}"],
      ["DELETE", "application/json", "{}"],
      ["PATCH", "application/json", '{"a":1}'],
    ]);
  });

  it("sends no body or content type on reads", async () => {
    const calls = capture();
    await apiFetch("/api/x");
    await apiFetch("/api/x", { method: "HEAD" });
    expect(calls.map((c) => [c.headers.get("content-type"), c.body])).toEqual([
      [null, undefined],
      [null, undefined],
    ]);
  });
});
