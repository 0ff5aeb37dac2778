import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seal } from "@/lib/server/crypto/envelope";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";
import {
  claimsOf,
  featureKeysOf,
  IMPORT_ERRORS,
  KINDS,
  PROFILES,
  sandboxApi,
  STATUSES,
  wireStatus,
  type Kind,
  type Status,
  type TestApp,
} from "@/test/sandbox-fixtures";
import { startSandboxServer, type SandboxServer } from "@/test/sandbox-http";
import { createDiditClient } from "./client";
import { DiditError, type DiditErrorCode } from "./errors";
import { featureKeysOf as recipeFeatureKeys } from "./normalise";
import type { DiditCaller, DiditClient } from "./types";

/**
 * The client against the sandbox over real HTTP, in both profiles (didit-api.md §7): the same
 * assertions pass against the recipe's and the published spec's dialects without configuration.
 */

let t: TestDatabase;
let server: SandboxServer;
let api: ReturnType<typeof sandboxApi>;
let client: DiditClient;

const callerOf = (key: string): DiditCaller => {
  const id = randomUUID();
  return { id, apiKeyCiphertext: seal(key, id) };
};

async function refusal(promise: Promise<unknown>): Promise<DiditError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DiditError);
  return error as DiditError;
}

async function expectCode(promise: Promise<unknown>, code: DiditErrorCode, forbidden: string[] = []) {
  const error = await refusal(promise);
  expect(error.code, error.message).toBe(code);
  // Didit's own words never reach the caller.
  const seen = JSON.stringify({ ...error, message: error.message, stack: error.stack });
  for (const text of forbidden) expect(seen).not.toContain(text);
  return error;
}

beforeAll(async () => {
  t = await createTestDatabase();
  server = await startSandboxServer();
  api = sandboxApi(server.origin);
  client = createDiditClient({ baseUrl: () => `${server.origin}/sandbox`, limiter: false });
});
afterAll(async () => {
  await server?.close();
  await t?.close();
});

describe.each(PROFILES)(`Didit client contract, %s profile (${testDriver()})`, (profile) => {
  let x: TestApp;
  let y: TestApp;
  let z: TestApp;
  let cx: DiditCaller;
  let cy: DiditCaller;
  let cz: DiditCaller;
  const ids: Record<Kind, Partial<Record<Status, string>>> = { user: {}, business: {} };
  const tag = `${profile}-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    x = await api.newApp(profile, "Service X");
    y = await api.newApp(profile, "Service Y");
    z = await api.newApp(profile, "Service Z");
    cx = callerOf(x.key);
    cy = callerOf(y.key);
    cz = callerOf(z.key);
    for (const kind of KINDS) {
      for (const status of STATUSES) {
        const s = await api.newSession(x, kind, status, { vendor_data: `${tag}-${kind}-${status}` });
        ids[kind][status] = s.session_id;
      }
    }
  });

  describe("listSessions", () => {
    it("lists each kind (user by default) with Title Case statuses and both subjects", async () => {
      const users = await client.listSessions(cx, { limit: 100 });
      expect(users.count).toBe(STATUSES.length);
      expect(users.results.every((r) => r.sessionKind === "user")).toBe(true);
      expect(new Set(users.results.map((r) => r.status))).toEqual(new Set(STATUSES));
      expect(users.results.every((r) => r.companyName === null && r.registrationNumber === null)).toBe(true);
      expect(users.results.some((r) => r.fullName)).toBe(true);
      expect(users.nextOffset).toBeNull();

      const businesses = await client.listSessions(cx, { kind: "business", limit: 100 });
      expect(businesses.count).toBe(STATUSES.length);
      expect(new Set(businesses.results.map((r) => r.status))).toEqual(new Set(STATUSES));
      expect(businesses.results.every((r) => r.sessionKind === "business" && r.fullName === null)).toBe(true);
      expect(businesses.results.some((r) => r.companyName && r.registrationNumber)).toBe(true);
      const row = businesses.results.find((r) => r.sessionId === ids.business["In Review"])!;
      expect(row).toMatchObject({ status: "In Review", vendorData: `${tag}-business-In Review` });
      expect(row.createdAt).toBeInstanceOf(Date);
      expect(typeof row.sessionNumber).toBe("number");
      expect(row.workflowId).toBe(x.workflows.business);

      const all = await client.listSessions(cx, { kind: "all", limit: 100 });
      expect(all.count).toBe(2 * STATUSES.length);
    });

    it.each(["user", "business", "all"] as const)(
      "filters %s sessions by status in the profile's spelling",
      async (kind) => {
        const wanted: Status[] = ["In Review", "Approved", "Kyc Expired"];
        const page = await client.listSessions(cx, { kind, status: wanted, limit: 100 });
        const kinds: Kind[] = kind === "all" ? ["user", "business"] : [kind];
        const expected = kinds.flatMap((k) => wanted.map((s) => ids[k][s]!)).sort();
        expect(page.results.map((r) => r.sessionId).sort()).toEqual(expected);
        expect(page.results.every((r) => wanted.includes(r.status))).toBe(true);
      },
    );

    it("filters by vendor_data exactly and searches by name, vendor_data and number", async () => {
      const exact = await client.listSessions(cx, {
        kind: "business",
        vendorData: `${tag}-business-Approved`,
      });
      expect(exact.results.map((r) => r.sessionId)).toEqual([ids.business.Approved]);
      const partial = await client.listSessions(cx, { kind: "business", vendorData: `${tag}-business` });
      expect(partial.count).toBe(0);

      const search = await client.listSessions(cx, { kind: "all", search: `${tag}-user-Declined` });
      expect(search.results.map((r) => r.sessionId)).toEqual([ids.user.Declined]);
      const one = exact.results[0]!;
      const byName = await client.listSessions(cx, { kind: "business", search: one.companyName! });
      expect(byName.results.map((r) => r.sessionId)).toContain(one.sessionId);
      const byNumber = await client.listSessions(cx, { kind: "all", search: String(one.sessionNumber) });
      expect(byNumber.results.map((r) => r.sessionId)).toContain(one.sessionId);
      const byWorkflow = await client.listSessions(cx, { kind: "all", workflowId: x.workflows.user });
      expect(byWorkflow.count).toBe(STATUSES.length);
    });

    it("filters by creation date (YYYY-MM-DD, inclusive)", async () => {
      const day = (offsetDays: number) =>
        new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
      const around = await client.listSessions(cx, {
        kind: "all",
        dateFrom: day(-1),
        dateTo: day(1),
        limit: 1,
      });
      expect(around.count).toBe(2 * STATUSES.length);
      const before = await client.listSessions(cx, { kind: "all", dateTo: day(-2) });
      expect(before.count).toBe(0);
      const after = await client.listSessions(cx, { kind: "all", dateFrom: day(2) });
      expect(after.count).toBe(0);
    });

    it("pages with limit and offset until nextOffset is null, newest first, no repeats", async () => {
      const seen: string[] = [];
      let offset: number | null = 0;
      let pages = 0;
      while (offset !== null) {
        const page = await client.listSessions(cx, { kind: "all", limit: 3, offset });
        expect(page.count).toBe(2 * STATUSES.length);
        seen.push(...page.results.map((r) => r.sessionId));
        offset = page.nextOffset;
        if (offset !== null) expect(offset).toBe(seen.length);
        pages++;
      }
      expect(pages).toBe(Math.ceil((2 * STATUSES.length) / 3));
      expect(new Set(seen).size).toBe(2 * STATUSES.length);
    });

    it("answers key_rejected for an unknown key", async () => {
      await expectCode(client.listSessions(callerOf("sbx_not-a-key")), "key_rejected", ["permission"]);
    });
  });

  describe("getDecision", () => {
    it.each(KINDS)("reads %s decisions with the recipe's key names", async (kind) => {
      const wireKeys = featureKeysOf(kind, profile);
      let renamedSeen = 0;
      for (const status of STATUSES) {
        const id = ids[kind][status]!;
        const decision = await client.getDecision(cx, id);
        const raw = (await api.decision(x.key, id)).body as Record<string, unknown>;
        expect(decision).toMatchObject({ sessionId: id, sessionKind: kind, status });
        expect(Object.keys(decision.featureData)).toEqual([...recipeFeatureKeys(kind)]);
        recipeFeatureKeys(kind).forEach((key, i) => {
          expect(decision.featureData[key], key).toEqual(raw[wireKeys[i]!]);
        });
        expect(decision.featureData).not.toHaveProperty("poa_verifications");
        expect(decision.featureData).not.toHaveProperty("ip_analyses");
        renamedSeen +=
          (decision.featureData.proof_of_address?.length ?? 0) +
          (decision.featureData.location_checks?.length ?? 0);
        expect(decision.sharedFromSession).toBeNull();
        expect(decision.reviews).toEqual([]);
        expect(typeof decision.expiresAt).toBe("string");
      }
      // The renamed arrays were not all empty: the mapping was exercised.
      if (kind === "user") expect(renamedSeen).toBeGreaterThan(0);
    });

    it("answers not_found for another application's session and an unknown id", async () => {
      await expectCode(client.getDecision(cy, ids.user.Approved!), "not_found");
      await expectCode(client.getDecision(cx, randomUUID()), "not_found");
      await expectCode(client.getDecision(cx, "../sessions"), "not_found");
    });
  });

  describe("share", () => {
    it.each(KINDS)(`mints a %s token (HTTP ${profile === "recipe" ? 201 : 200})`, async (kind) => {
      const id = ids[kind]["In Review"]!;
      const result = await client.share(cx, id, { forApplicationId: y.id, ttlSeconds: 120 });
      expect(result).toMatchObject({ forApplicationId: y.id, sessionKind: kind });
      const claims = claimsOf(result.shareToken);
      expect(claims).toMatchObject({ session_id: id, for_application_id: y.id, from_application_id: x.id });
      expect(claims.exp! - claims.iat!).toBe(120);
    });

    it("turns every share refusal into our code", async () => {
      const unfinished = ids.business["In Progress"]!;
      const ok = ids.user.Approved!;
      await expectCode(client.share(cx, unfinished, { forApplicationId: y.id }), "session_not_finished");
      await expectCode(
        client.share(cx, ok, { forApplicationId: randomUUID() }),
        "unknown_target_application",
        ["Target application does not exist"],
      );
      await expectCode(
        client.share(cx, ok, { forApplicationId: "partner-app-uuid" }),
        "unknown_target_application",
      );
      await expectCode(client.share(cx, ok, { forApplicationId: x.id }), "same_application");
      await expectCode(client.share(cx, ok, { forApplicationId: y.id, ttlSeconds: 59 }), "ttl_out_of_range");
      await expectCode(
        client.share(cx, ok, { forApplicationId: y.id, ttlSeconds: 86_401 }),
        "ttl_out_of_range",
      );
      await expectCode(client.share(cy, ok, { forApplicationId: z.id }), "not_found");
      // 401 without a valid key, 403 for a key without write:sessions: both the key's problem.
      const e401 = await expectCode(
        client.share(callerOf("sbx_nope"), ok, { forApplicationId: y.id }),
        "key_rejected",
      );
      expect(e401.details).toMatchObject({ upstreamStatus: 401 });
      const readOnly = callerOf(await api.newKey(x.id, ["read:sessions"]));
      const e403 = await expectCode(client.share(readOnly, ok, { forApplicationId: y.id }), "key_rejected");
      expect(e403.details).toMatchObject({ upstreamStatus: 403 });
      expect(e403.message).toMatch(/an admin must check this application's API key on \/applications/);
    });
  });

  describe("importShared", () => {
    const fresh = async (kind: Kind, status: Status = "Approved") =>
      (await api.newSession(x, kind, status)).session_id;
    const mintFor = async (kind: Kind, to: TestApp, ttl?: number, status: Status = "Approved") =>
      (await client.share(cx, await fresh(kind, status), { forApplicationId: to.id, ttlSeconds: ttl }))
        .shareToken;
    const input = (
      token: string,
      kind: Kind,
      extra: Partial<{ workflowId: string; trustReview: boolean }> = {},
    ) => ({
      shareToken: token,
      workflowId: y.workflows[kind],
      vendorData: `${tag}-import-${randomUUID().slice(0, 6)}`,
      trustReview: false,
      expectedApplicationId: y.id,
      ...extra,
    });

    it.each(KINDS)("imports a %s token: a new session in Title Case with mapped features", async (kind) => {
      const token = await mintFor(kind, y);
      const source = claimsOf(token).session_id as string;
      const args = input(token, kind);
      const result = await client.importShared(cy, args);
      expect(result).toMatchObject({
        sessionKind: kind,
        status: "In Review",
        sharedFromSession: source,
        vendorData: args.vendorData,
        workflowId: y.workflows[kind],
      });
      expect(result.sessionId).not.toBe(source);
      expect(typeof result.sessionNumber).toBe("number");
      expect(Object.keys(result.featureData)).toEqual([...recipeFeatureKeys(kind)]);
      const sourceDecision = await client.getDecision(cx, source);
      expect(result.featureData).toEqual(sourceDecision.featureData);
      const clone = await client.getDecision(cy, result.sessionId);
      expect(clone.sharedFromSession).toBe(source);
      // The clone is found again by vendor_data: how a lost import answer is reconciled.
      const found = await client.listSessions(cy, { kind, vendorData: args.vendorData });
      expect(found.results.map((r) => r.sessionId)).toEqual([result.sessionId]);
    });

    it("keeps the source's status with trust_review", async () => {
      const token = await mintFor("business", y, undefined, "Declined");
      const result = await client.importShared(cy, input(token, "business", { trustReview: true }));
      expect(result.status).toBe("Declined");
    });

    it("turns every row of the §4 error table into our code", async () => {
      const bodies = Object.values(IMPORT_ERRORS[profile]).flatMap((e) => drfTexts(e.body));
      // Malformed, and signed by someone else.
      await expectCode(client.importShared(cy, input("abc", "user")), "token_invalid", bodies);
      const good = await mintFor("user", y);
      const [h, p] = good.split(".");
      await expectCode(client.importShared(cy, input(`${h}.${p}.AAAA`, "user")), "token_invalid", bodies);

      // Expired on Didit's clock (the token's own exp is still ahead on ours: the body decides).
      const shortLived = await mintFor("user", y, 60);
      await api.setClock(61);
      try {
        const e = await expectCode(
          client.importShared(cy, input(shortLived, "user")),
          "token_expired",
          bodies,
        );
        expect(e.message).toMatch(/ask the partner for a new token/);
      } finally {
        await api.setClock(0);
      }

      // For another application.
      const forY = await mintFor("user", y);
      await expectCode(
        client.importShared(cz, {
          ...input(forY, "user"),
          workflowId: z.workflows.user,
          expectedApplicationId: z.id,
        }),
        "token_not_for_us",
        bodies,
      );

      // Already imported here.
      const once = await mintFor("business", y);
      await client.importShared(cy, input(once, "business"));
      await expectCode(client.importShared(cy, input(once, "business")), "already_imported", bodies);

      // Source deleted.
      const doomed = await fresh("user");
      const orphan = (await client.share(cx, doomed, { forApplicationId: y.id })).shareToken;
      await client.deleteSession(cx, doomed);
      await expectCode(client.importShared(cy, input(orphan, "user")), "source_deleted", bodies);

      // A workflow of the wrong kind, of another application, unknown.
      const token = await mintFor("user", y);
      for (const workflowId of [y.workflows.business, x.workflows.user, randomUUID()]) {
        await expectCode(
          client.importShared(cy, input(token, "user", { workflowId })),
          "workflow_not_found",
          bodies,
        );
      }
      // The refusals wrote nothing: the token still imports.
      await client.importShared(cy, input(token, "user"));
    });

    it("answers key_rejected for a key that cannot write", async () => {
      const token = await mintFor("user", y);
      const readOnly = callerOf(await api.newKey(y.id, ["read:sessions"]));
      await expectCode(client.importShared(readOnly, input(token, "user")), "key_rejected");
    });
  });

  describe("updateStatus and deleteSession", () => {
    it("updates a status, records the review, refuses the same status again", async () => {
      const id = (await api.newSession(x, "business", "In Review")).session_id;
      expect(await client.updateStatus(cx, id, { newStatus: "Approved", comment: "looks fine" })).toEqual({
        sessionId: id,
      });
      const decision = await client.getDecision(cx, id);
      expect(decision.status).toBe("Approved");
      expect(decision.reviews).toEqual([
        expect.objectContaining({ newStatus: "Approved", comment: "looks fine", user: "API" }),
      ]);
      await expectCode(client.updateStatus(cx, id, { newStatus: "Approved" }), "conflict", [
        "same as the current status",
      ]);
      const notStarted = ids.user["Not Started"]!;
      await expectCode(client.updateStatus(cx, notStarted, { newStatus: "Approved" }), "conflict");
      await expectCode(client.updateStatus(cy, id, { newStatus: "Declined" }), "not_found");
    });

    it("deletes a session; it is gone afterwards", async () => {
      const id = (await api.newSession(x, "user", "Declined")).session_id;
      await client.deleteSession(cx, id);
      await expectCode(client.getDecision(cx, id), "not_found");
      await expectCode(client.deleteSession(cx, id), "not_found");
    });
  });

  describe("webhook destinations", () => {
    it("creates, lists (a bare array without secrets), reads, updates and deletes", async () => {
      const url = `http://127.0.0.1:9/didit/${tag}`;
      const created = await client.createWebhookDestination(cx, {
        label: "Handoff",
        url,
        subscribedEvents: ["status.updated", "data.updated"],
      });
      expect(created).toMatchObject({ label: "Handoff", url, enabled: true });
      expect([...created.subscribedEvents].sort()).toEqual(["data.updated", "status.updated"]);
      expect(created.secretSharedKey).toMatch(/.{16,}/);

      const list = await client.listWebhookDestinations(cx);
      expect(list).toEqual([
        { id: created.id, label: "Handoff", url, enabled: true, subscribedEvents: created.subscribedEvents },
      ]);
      expect(JSON.stringify(list)).not.toContain(created.secretSharedKey!);

      const got = await client.getWebhookDestination(cx, created.id);
      expect(got.secretSharedKey).toBe(created.secretSharedKey);

      const updated = await client.updateWebhookDestination(cx, created.id, {
        label: "Handoff (renamed)",
        enabled: false,
        subscribedEvents: ["status.updated"],
      });
      expect(updated).toMatchObject({ id: created.id, label: "Handoff (renamed)", enabled: false });
      expect(updated.subscribedEvents).toEqual(["status.updated"]);
      expect(updated.secretSharedKey).toBeUndefined();

      await expectCode(
        client.createWebhookDestination(cx, { label: "again", url, subscribedEvents: ["status.updated"] }),
        "conflict",
      );
      const bad = await expectCode(
        client.createWebhookDestination(cx, {
          label: "bad",
          url: "http://example.com/x",
          subscribedEvents: ["status.updated"],
        }),
        "validation_failed",
      );
      expect(bad.details).toMatchObject({ field: "url" });

      await expectCode(client.getWebhookDestination(cy, created.id), "not_found");
      await client.deleteWebhookDestination(cx, created.id);
      await expectCode(client.getWebhookDestination(cx, created.id), "not_found");
      await expectCode(client.deleteWebhookDestination(cx, created.id), "not_found");
      expect(await client.listWebhookDestinations(cx)).toEqual([]);
    });
  });

  it("never lets the API key out: not in errors, messages or answers", async () => {
    const key = await api.newKey(x.id, ["read:sessions"]);
    const caller = callerOf(key);
    const page = await client.listSessions(caller, { limit: 1 });
    expect(JSON.stringify(page)).not.toContain(key);
    const error = await refusal(client.share(caller, ids.user.Approved!, { forApplicationId: y.id }));
    const everything = JSON.stringify({
      ...error,
      message: error.message,
      stack: error.stack,
      str: String(error),
    });
    expect(everything).not.toContain(key);
    expect(everything).not.toContain(caller.apiKeyCiphertext);
    expect(wireStatus("business", "In Review", profile)).toBe(
      profile === "recipe" ? "IN_REVIEW" : "In Review",
    );
  });
});

function drfTexts(body: unknown): string[] {
  return Object.values(body as Record<string, string | string[]>).flatMap((v) =>
    Array.isArray(v) ? v : [v],
  );
}
