import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as importRoute from "@/app/api/inbox/[id]/import/route";
import * as reveal from "@/app/api/shares/[id]/reveal/route";
import * as sharesRoute from "@/app/api/shares/route";
import type { ShareDto } from "@/lib/schemas/shares";
import { idempotencyKeys, imports, inboxItems, partners, shares } from "@/lib/server/db/schema";
import { getDiditClient, setDiditClientForTests, type DiditClient } from "@/lib/server/didit";
import { AppError } from "@/lib/server/http/errors";
import { IDEMPOTENCY_LEASE_MS, claimIdempotencyKey } from "@/lib/server/http/idempotency-keys";
import { runMaintenance } from "@/lib/server/services/operations/maintenance";
import {
  addPartner,
  connectApp,
  countRows,
  databaseText,
  mirroredSession,
  sharingWorld,
  type World,
} from "@/lib/server/services/sharing/shares.test-kit";
import { testDriver } from "@/test/database";
import type { TestApp } from "@/test/sandbox-fixtures";
import { insertUser, request, type TestUser } from "@/test/session";
import { requestFingerprint } from "./idempotency";

type Answer<T = Record<string, unknown>> = { status: number; headers: Headers; text: string; body: T };
type ShareAnswer = Answer<ShareDto & { error?: { code: string; message: string; details?: unknown } }>;

let w: World;
let x: TestApp;
let xRow: string;
let officer: TestUser;
let otherOfficer: TestUser;
let partnerId: string;
let manualPartnerId: string;

async function postShare(user: TestUser, body: unknown, key?: string | null): Promise<ShareAnswer> {
  const req = await request("/api/shares", { method: "POST", user, body });
  if (key !== undefined && key !== null) req.headers.set("idempotency-key", key);
  const res = await sharesRoute.POST(req);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : null };
}

const newSession = () => mirroredSession(w, x, xRow, "user", "Approved");
const shareCount = async (sessionId: string) =>
  (await w.t.db.select().from(shares).where(eq(shares.sessionId, sessionId))).length;

beforeAll(async () => {
  w = await sharingWorld();
  x = await w.api.newApp("recipe", "Northwind Bank");
  xRow = await connectApp(w.t.db, x, "Northwind Bank");
  officer = await insertUser(w.t.db, "officer");
  otherOfficer = await insertUser(w.t.db, "officer");
  const target = await w.api.newApp("recipe", "Acme Pickup");
  partnerId = (
    await addPartner(w.t.db, { applicationId: xRow, diditApplicationId: target.id, channel: "pickup" })
  ).id;
  const manual = await w.api.newApp("recipe", "Acme Manual");
  manualPartnerId = (
    await addPartner(w.t.db, { applicationId: xRow, diditApplicationId: manual.id, channel: "manual" })
  ).id;
});

afterAll(async () => {
  await w?.close();
});

beforeEach(() => {
  w.diditCalls.count = 0;
});

describe(`Idempotency-Key on POST /api/shares (${testDriver()})`, () => {
  it("a repeat with the same key and body replays the stored answer without a second Didit call", async () => {
    const sessionId = await newSession();
    const key = `share-${randomUUID()}`;
    const first = await postShare(officer, { sessionId, partnerId }, key);
    expect(first.status, first.text).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(w.diditCalls.count).toBe(1);

    // Key order in the JSON does not make it another request.
    const again = await postShare(officer, { partnerId, sessionId }, key);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.headers.get("cache-control")).toBe("no-store");
    expect(again.headers.get("content-type")).toContain("application/json");
    expect(again.body).toEqual(first.body);
    expect(w.diditCalls.count).toBe(1);
    expect(await shareCount(sessionId)).toBe(1);

    // Without a key, the same body is a new request (a second share), as before.
    const unkeyed = await postShare(officer, { sessionId, partnerId });
    expect(unkeyed.status).toBe(201);
    expect(unkeyed.body.id).not.toBe(first.body.id);
    expect(await shareCount(sessionId)).toBe(2);
  });

  it("the same key with a different body is 422 idempotency_key_reused, with no Didit call", async () => {
    const sessionId = await newSession();
    const key = `share-${randomUUID()}`;
    expect((await postShare(officer, { sessionId, partnerId }, key)).status).toBe(201);
    w.diditCalls.count = 0;
    const other = await postShare(officer, { sessionId, partnerId, ttlSeconds: 600 }, key);
    expect(other.status).toBe(422);
    expect(other.body.error?.code).toBe("idempotency_key_reused");
    expect(other.headers.get("idempotent-replayed")).toBeNull();
    expect(w.diditCalls.count).toBe(0);
    expect(await shareCount(sessionId)).toBe(1);
  });

  it("20 concurrent requests with one key make one Didit call and one share", async () => {
    const sessionId = await newSession();
    const key = `share-${randomUUID()}`;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => postShare(officer, { sessionId, partnerId }, key)),
    );
    expect(w.diditCalls.count).toBe(1);
    expect(await shareCount(sessionId)).toBe(1);
    const ran = answers.filter((a) => a.status === 201 && a.headers.get("idempotent-replayed") === null);
    expect(ran).toHaveLength(1);
    for (const a of answers) {
      if (a === ran[0]) continue;
      if (a.status === 201) {
        expect(a.headers.get("idempotent-replayed")).toBe("true");
        expect(a.body.id).toBe(ran[0]!.body.id);
      } else {
        expect(a.status, a.text).toBe(409);
        expect(a.body.error?.code).toBe("idempotency_in_progress");
      }
    }
    // Once the first is done, every retry gets its answer.
    const later = await postShare(officer, { sessionId, partnerId }, key);
    expect(later.status).toBe(201);
    expect(later.body.id).toBe(ran[0]!.body.id);
  });

  it("a 5xx outcome leaves the key retryable; the retry runs and is then replayed", async () => {
    const sessionId = await newSession();
    const key = `share-${randomUUID()}`;
    const working = getDiditClient();
    let failures = 1;
    const flaky = new Proxy(working, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop !== "share" || typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (failures-- > 0) {
            w.diditCalls.count++;
            throw new AppError("upstream_unavailable", "Didit is unavailable.");
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    }) as DiditClient;
    setDiditClientForTests(flaky);
    try {
      const failed = await postShare(officer, { sessionId, partnerId }, key);
      expect(failed.status).toBe(503);
      expect(await shareCount(sessionId)).toBe(0);
      expect(await w.t.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key))).toHaveLength(0);

      const retried = await postShare(officer, { sessionId, partnerId }, key);
      expect(retried.status, retried.text).toBe(201);
      expect(retried.headers.get("idempotent-replayed")).toBeNull();
      expect(w.diditCalls.count).toBe(2);

      const replayed = await postShare(officer, { sessionId, partnerId }, key);
      expect(replayed.headers.get("idempotent-replayed")).toBe("true");
      expect(replayed.body.id).toBe(retried.body.id);
      expect(w.diditCalls.count).toBe(2);
      expect(await shareCount(sessionId)).toBe(1);
    } finally {
      setDiditClientForTests(working);
    }
  });

  it("a 4xx outcome is final: replayed even once the cause is gone", async () => {
    const sessionId = await newSession();
    const key = `share-${randomUUID()}`;
    await w.t.db.update(partners).set({ status: "suspended" }).where(eq(partners.id, partnerId));
    try {
      const refused = await postShare(officer, { sessionId, partnerId }, key);
      expect(refused.status).toBe(409);
      expect(refused.body.error?.code).toBe("partner_suspended");
    } finally {
      await w.t.db.update(partners).set({ status: "active" }).where(eq(partners.id, partnerId));
    }
    const again = await postShare(officer, { sessionId, partnerId }, key);
    expect(again.status).toBe(409);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body.error?.code).toBe("partner_suspended");
    expect(w.diditCalls.count).toBe(0);
    expect(await shareCount(sessionId)).toBe(0);
  });

  it("keys are scoped to the caller: another officer's same key is their own request", async () => {
    const sessionId = await newSession();
    const key = `shared-key-${randomUUID()}`;
    const mine = await postShare(officer, { sessionId, partnerId }, key);
    const theirs = await postShare(otherOfficer, { sessionId, partnerId }, key);
    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get("idempotent-replayed")).toBeNull();
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect(w.diditCalls.count).toBe(2);
    // And the other officer's key does not collide with a different body of mine.
    const otherBody = await postShare(otherOfficer, { sessionId, partnerId, ttlSeconds: 600 }, key);
    expect(otherBody.body.error?.code).toBe("idempotency_key_reused");
  });

  it("a bad header is 422 with the envelope and runs nothing", async () => {
    const sessionId = await newSession();
    for (const bad of ["", "x".repeat(256), "tab\tinside", "caf\u00e9"]) {
      const res = await postShare(officer, { sessionId, partnerId }, bad);
      expect(res.status, JSON.stringify(bad)).toBe(422);
      expect(res.body.error).toMatchObject({
        code: "validation_failed",
        details: { fields: { "Idempotency-Key": [expect.any(String)] } },
      });
      expect(res.headers.get("x-request-id")).toBeTruthy();
    }
    expect((await postShare(officer, { sessionId, partnerId }, "x".repeat(255))).status).toBe(201);
    expect((await postShare(officer, { sessionId, partnerId }, " ~printable ascii~ ")).status).toBe(201);
    expect(w.diditCalls.count).toBe(2);
  });

  it("an attempt that died holding the key is taken over after its lease; a live one is 409", async () => {
    const sessionId = await newSession();
    const body = { sessionId, partnerId };
    const fingerprint = requestFingerprint("POST", "/api/shares", body);
    const claim = (key: string, at: Date) =>
      claimIdempotencyKey(
        { db: w.t.db, actor: null, now: () => at, requestId: "test", ip: null, userAgent: null },
        { scope: `user:${officer.id}`, key, fingerprint, method: "POST", path: "/api/shares" },
      );
    const live = `live-${randomUUID()}`;
    expect((await claim(live, new Date())).kind).toBe("run");
    const busy = await postShare(officer, body, live);
    expect(busy.status).toBe(409);
    expect(busy.body.error?.code).toBe("idempotency_in_progress");
    expect(w.diditCalls.count).toBe(0);

    const dead = `dead-${randomUUID()}`;
    expect((await claim(dead, new Date(Date.now() - IDEMPOTENCY_LEASE_MS - 1000))).kind).toBe("run");
    const taken = await postShare(officer, body, dead);
    expect(taken.status, taken.text).toBe(201);
    expect(taken.headers.get("idempotent-replayed")).toBeNull();
    expect(await shareCount(sessionId)).toBe(1);
  });

  it("after 24 hours the key is new again, and maintenance forgets it", async () => {
    const sessionId = await newSession();
    const key = `old-${randomUUID()}`;
    expect((await postShare(officer, { sessionId, partnerId }, key)).status).toBe(201);
    await w.t.db
      .update(idempotencyKeys)
      .set({ createdAt: sql`now() - interval '25 hours'`, lockedAt: sql`now() - interval '25 hours'` })
      .where(eq(idempotencyKeys.key, key));
    const fresh = await postShare(officer, { sessionId, partnerId }, key);
    expect(fresh.status).toBe(201);
    expect(fresh.headers.get("idempotent-replayed")).toBeNull();
    expect(await shareCount(sessionId)).toBe(2);

    await w.t.db
      .update(idempotencyKeys)
      .set({ createdAt: sql`now() - interval '25 hours'` })
      .where(eq(idempotencyKeys.key, key));
    const result = await runMaintenance(w.t.db, new Date());
    expect(result.idempotencyKeys).toBeGreaterThanOrEqual(1);
    expect(await w.t.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key))).toHaveLength(0);
  });

  it("the stored answer never holds the share token", async () => {
    const sessionId = await newSession();
    const key = `manual-${randomUUID()}`;
    const created = await postShare(officer, { sessionId, partnerId: manualPartnerId }, key);
    expect(created.status).toBe(201);
    const revealReq = await request(`/api/shares/${created.body.id}/reveal`, {
      method: "POST",
      user: officer,
      body: {},
    });
    const revealed = await reveal.POST(revealReq, { params: Promise.resolve({ id: created.body.id }) });
    const { token } = (await revealed.json()) as { token: string };
    expect(token).toMatch(/^ey/);
    expect(created.text).not.toContain(token);
    const stored = await w.t.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key));
    expect(stored[0]!.responseBody).toBe(created.text);
    expect(await databaseText(w.t.db)).not.toContain(token);
    expect(await countRows(w.t.db, "idempotency_keys")).toBeGreaterThan(0);
  });
});

describe(`Idempotency-Key on POST /api/inbox/{id}/import (${testDriver()})`, () => {
  it("a repeat replays the import: one Didit import, one import row; another body under the key is refused", async () => {
    const pay = await w.api.newApp("recipe", "Northwind Pay");
    const payRow = await connectApp(w.t.db, pay, "Northwind Pay");
    const internal = await addPartner(w.t.db, {
      applicationId: xRow,
      diditApplicationId: pay.id,
      channel: "internal",
      name: "Northwind Pay",
    });
    await addPartner(w.t.db, {
      applicationId: payRow,
      diditApplicationId: x.id,
      channel: "internal",
      name: "Northwind Bank",
      importWorkflowUser: pay.workflows.user,
    });
    const sessionId = await newSession();
    const shared = await postShare(officer, { sessionId, partnerId: internal.id });
    expect(shared.status, shared.text).toBe(201);
    const [item] = await w.t.db.select().from(inboxItems).where(eq(inboxItems.localShareId, shared.body.id));

    const key = `import-${randomUUID()}`;
    const importOnce = async (body: unknown) => {
      const req = await request(`/api/inbox/${item!.id}/import`, { method: "POST", user: officer, body });
      req.headers.set("idempotency-key", key);
      const res = await importRoute.POST(req, { params: Promise.resolve({ id: item!.id }) });
      const text = await res.text();
      return { status: res.status, headers: res.headers, text };
    };
    w.diditCalls.count = 0;
    const first = await importOnce({ trustReview: true });
    expect(first.status, first.text).toBe(201);
    const calls = w.diditCalls.count;
    const again = await importOnce({ trustReview: true });
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.text).toBe(first.text);
    expect(w.diditCalls.count).toBe(calls);
    expect(await w.t.db.select().from(imports).where(eq(imports.inboxItemId, item!.id))).toHaveLength(1);

    const other = await importOnce({ trustReview: false });
    expect(other.status).toBe(422);
    expect(JSON.parse(other.text).error.code).toBe("idempotency_key_reused");
  });
});
