import { describe, expect, it } from "vitest";
import {
  isConnectError,
  isRetryable,
  parseRetryAfter,
  RETRY_CLASS,
  retryDelayMs,
  type AttemptFailure,
} from "./retry";

const status = (s: number): AttemptFailure => ({ kind: "status", status: s, retryAfterMs: null });

describe("retry decisions per operation", () => {
  it.each([
    // [operation, 500, 429, network (after sending), connect (never opened), timeout, 400]
    ["listSessions", true, true, true, true, false, false],
    ["getDecision", true, true, true, true, false, false],
    ["listWebhookDestinations", true, true, true, true, false, false],
    ["getWebhookDestination", true, true, true, true, false, false],
    ["deleteSession", true, true, true, true, false, false],
    ["deleteWebhookDestination", true, true, true, true, false, false],
    ["updateWebhookDestination", true, true, true, true, false, false],
    ["share", false, true, false, true, false, false],
    ["updateStatus", false, true, false, true, false, false],
    ["createWebhookDestination", false, true, false, true, false, false],
    ["importShared", false, false, false, false, false, false],
  ] as const)("%s", (op, s500, s429, network, connect, timeout, s400) => {
    const cls = RETRY_CLASS[op];
    expect(isRetryable(cls, status(500))).toBe(s500);
    expect(isRetryable(cls, status(503))).toBe(s500);
    expect(isRetryable(cls, status(429))).toBe(s429);
    expect(isRetryable(cls, { kind: "network" })).toBe(network);
    expect(isRetryable(cls, { kind: "connect" })).toBe(connect);
    expect(isRetryable(cls, { kind: "timeout" })).toBe(timeout);
    expect(isRetryable(cls, status(400))).toBe(s400);
    expect(isRetryable(cls, status(404))).toBe(false);
  });
});

describe("isConnectError", () => {
  it("finds the code in undici's cause chain and in a dual-stack AggregateError", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    expect(isConnectError(new TypeError("fetch failed", { cause: refused }))).toBe(true);
    const both = new AggregateError([refused, Object.assign(new Error("x"), { code: "ENETUNREACH" })]);
    expect(isConnectError(new TypeError("fetch failed", { cause: both }))).toBe(true);
    expect(
      isConnectError(new TypeError("fetch failed", { cause: { code: "UND_ERR_CONNECT_TIMEOUT" } })),
    ).toBe(true);
  });
  it("does not count a reset or a closed socket (the request may have been sent)", () => {
    expect(isConnectError(new TypeError("fetch failed", { cause: { code: "ECONNRESET" } }))).toBe(false);
    expect(isConnectError(new TypeError("fetch failed", { cause: { code: "UND_ERR_SOCKET" } }))).toBe(false);
    expect(isConnectError(new TypeError("terminated"))).toBe(false);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.UTC(2026, 11, 1, 12, 0, 0);
  it("reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("7", now)).toBe(7000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
    expect(parseRetryAfter(new Date(now - 30_000).toUTCString(), now)).toBe(0);
  });
  it("ignores what it cannot read", () => {
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter("-5", now)).toBeNull();
  });
});

describe("retryDelayMs", () => {
  const opts = (r: number) => ({ baseMs: 250, capMs: 5000, random: () => r });
  it("doubles per retry with equal jitter, capped", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => retryDelayMs(n, null, opts(0)))).toEqual([
      125, 250, 500, 1000, 2000, 2500, 2500,
    ]);
    expect([1, 2, 3].map((n) => retryDelayMs(n, null, opts(0.999)))).toEqual([249, 499, 999]);
  });
  it("waits what Retry-After says, plus a little jitter", () => {
    expect(retryDelayMs(1, 3000, opts(0))).toBe(3000);
    expect(retryDelayMs(5, 3000, opts(0.5))).toBe(3125);
  });
});
