import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as shareRoute } from "@/app/sandbox/v3/session/[id]/share/route";
import type { Db } from "@/lib/server/db/types";
import { createApplication, type CreatedApplication } from "@/lib/server/sandbox/applications";
import { sandboxNow } from "@/lib/server/sandbox/clock";
import type { SandboxApp } from "@/lib/server/sandbox/http";
import { createGeneratedSession, shareSession } from "@/lib/server/sandbox/sessions";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";

/**
 * The cost and the `iat` of share mints (didit-api.md §3): a mint costs the same number of queries
 * however many tokens the session already has, tokens of one session stay distinct under
 * concurrency, and `iat` runs ahead of the clock only as far as same-second mints require.
 */

let t: TestDatabase;
let x: CreatedApplication;
let y: CreatedApplication;
let app: SandboxApp;

beforeAll(async () => {
  t = await createTestDatabase();
  x = await createApplication(t.db, { name: "Service X", profile: "recipe" });
  y = await createApplication(t.db, { name: "Service Y", profile: "recipe" });
  app = {
    id: x.application_id,
    name: "Service X",
    profile: "recipe",
    privileges: ["read:sessions", "write:sessions", "delete:sessions"],
  };
});
afterAll(async () => {
  await t?.close();
});

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

async function finishedSession(now: Date): Promise<string> {
  const s = await createGeneratedSession(t.db, {
    applicationId: x.application_id,
    kind: "user",
    status: "Approved",
    now,
  });
  return s.id;
}

async function mintAt(sessionId: string, now: Date, ttl = 3600): Promise<string> {
  const res = await shareSession(
    t.db,
    app,
    sessionId,
    { for_application_id: y.application_id, ttl_in_seconds: ttl },
    now,
  );
  expect(res.status).toBe(201);
  return ((await res.json()) as { share_token: string }).share_token;
}

/**
 * Counts the statements drizzle sends while `fn` runs, through drizzle's query logger (the one
 * hook both drivers call for every query outside a transaction, and inside one via its options).
 */
async function countQueries(db: Db, fn: () => Promise<unknown>): Promise<number> {
  type Logger = { logQuery(query: string, params: unknown[]): void };
  const session = (db as unknown as { session: { logger: Logger; options: { logger?: Logger } } }).session;
  const saved = { logger: session.logger, options: session.options.logger };
  let n = 0;
  const counting: Logger = { logQuery: () => void n++ };
  session.logger = counting;
  session.options.logger = counting;
  try {
    await fn();
  } finally {
    session.logger = saved.logger;
    session.options.logger = saved.options;
  }
  return n;
}

describe(`share mints (${testDriver()})`, () => {
  it("costs the same number of queries for the 1st and the 200th mint of one second", async () => {
    const now = new Date(Date.UTC(2026, 5, 1, 12, 0, 0));
    const id = await finishedSession(now);
    const first = await countQueries(t.db, () => mintAt(id, now));
    for (let i = 0; i < 198; i++) await mintAt(id, now);
    const twoHundredth = await countQueries(t.db, () => mintAt(id, now));
    // Another session's first mint: the baseline of a session with no history.
    const other = await finishedSession(now);
    const elsewhere = await countQueries(t.db, () => mintAt(other, now));
    expect(first).toBeGreaterThan(0);
    expect(twoHundredth).toBe(first);
    expect(elsewhere).toBe(first);
  });

  it("gives each same-second mint the next second, and catches up with the clock afterwards", async () => {
    const now = new Date(Date.UTC(2026, 5, 2, 8, 30, 0, 400));
    const id = await finishedSession(now);
    const tokens: string[] = [];
    for (let i = 0; i < 5; i++) tokens.push(await mintAt(id, now));
    const iats = tokens.map((tk) => decodeJwt(tk).iat!);
    // Five mints in one second: iat runs ahead by at most four seconds, one per extra mint.
    expect(iats).toEqual([0, 1, 2, 3, 4].map((d) => seconds(now) + d));
    expect(tokens.map((tk) => decodeJwt(tk).exp! - decodeJwt(tk).iat!)).toEqual([
      3600, 3600, 3600, 3600, 3600,
    ]);
    // Two seconds later the lead (4 s) is not used up yet: one past the last.
    expect(decodeJwt(await mintAt(id, new Date(now.getTime() + 2000))).iat).toBe(seconds(now) + 5);
    // Once the clock has passed the last iat, a mint is stamped with the clock again.
    const later = new Date(now.getTime() + 60_000);
    expect(decodeJwt(await mintAt(id, later)).iat).toBe(seconds(later));
    // Another session minting in the same second is not pushed ahead by this one.
    const other = await finishedSession(now);
    expect(decodeJwt(await mintAt(other, now)).iat).toBe(seconds(now));
    // Another TTL or target in the same second still gets its own second: tokens never collide.
    expect(decodeJwt(await mintAt(other, now, 60)).iat).toBe(seconds(now) + 1);
  });

  it("keeps 50 concurrent mints of one session distinct, iat within 50 seconds of the clock", async () => {
    const id = await finishedSession(await sandboxNow(t.db));
    const before = seconds(await sandboxNow(t.db));
    const body = JSON.stringify({ for_application_id: y.application_id });
    const results = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const req = new Request(`http://sandbox.test/sandbox/v3/session/${id}/share/`, {
          method: "POST",
          headers: { "x-api-key": x.api_key, "content-type": "application/json" },
          body,
        });
        const res = await shareRoute(req, { params: Promise.resolve({ id }) });
        return { status: res.status, body: (await res.json()) as { share_token: string } };
      }),
    );
    const after = seconds(await sandboxNow(t.db));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    const tokens = results.map((r) => r.body.share_token);
    expect(new Set(tokens).size).toBe(50);
    const iats = tokens.map((tk) => decodeJwt(tk).iat!).sort((a, b) => a - b);
    expect(new Set(iats).size).toBe(50);
    // Never before the clock, and ahead of it by at most the mints that shared a second.
    expect(iats[0]!).toBeGreaterThanOrEqual(before);
    expect(iats[49]!).toBeLessThanOrEqual(after + 49);
    // Consecutive seconds: the UPDATE hands them out with no gaps beyond the clock's own steps.
    expect(iats[49]! - iats[0]!).toBeLessThanOrEqual(49 + (after - before));
  });
});
