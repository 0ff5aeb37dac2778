import { and, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { sandboxEntities, sandboxImports, sandboxSessions, sandboxShares } from "@/lib/server/sandbox/schema";
import { testDriver } from "@/test/database";
import {
  claimsOf,
  FINISHED,
  FINISHED_ONLY,
  featureKeysOf,
  IMPORT_ERRORS,
  KINDS,
  NOT_FOUND,
  PERMISSION_DENIED,
  PROFILES,
  sandboxHttpSuite,
  signToken,
  UNFINISHED,
  wireStatus,
  type TestApp,
} from "@/test/sandbox-fixtures";

/**
 * The share (didit-api.md §3) and import (§4) contract, over real HTTP, in both profiles: every error
 * row with its exact status and body, TTL bounds, token claims, expiry on the sandbox clock, legacy
 * tokens, trust_review, entities, the duplicate rule and the 50-way import race.
 */

const sandbox = sandboxHttpSuite();

describe.each(PROFILES)(`share and import, %s profile (${testDriver()})`, (profile) => {
  let x: TestApp; // Service X: mints
  let y: TestApp; // Service Y: imports
  let z: TestApp; // a third application
  let deletedApp: TestApp;
  const shareOk = profile === "recipe" ? 201 : 200;
  const errors = IMPORT_ERRORS[profile];
  const sessions: Record<string, Record<string, string>> = { user: {}, business: {} };
  // Imports expected to succeed use a source of their own: the spec's duplicate rule is per source.
  const fresh = async (kind: "user" | "business", status: (typeof FINISHED)[number]) =>
    (await sandbox.api.newSession(x, kind, status)).session_id;

  beforeAll(async () => {
    x = await sandbox.api.newApp(profile, "Service X");
    y = await sandbox.api.newApp(profile, "Service Y");
    z = await sandbox.api.newApp(profile, "Service Z");
    deletedApp = await sandbox.api.newApp(profile, "Gone");
    expect((await sandbox.api.admin("DELETE", `/applications/${deletedApp.id}`)).status).toBe(204);
    for (const kind of KINDS) {
      for (const status of [...FINISHED, ...UNFINISHED]) {
        sessions[kind]![status] = (
          await sandbox.api.newSession(x, kind, status, { seed: `${kind}-${status}` })
        ).session_id;
      }
    }
  });

  describe("POST /v3/session/{id}/share/", () => {
    it.each(KINDS.flatMap((k) => FINISHED.map((s) => [k, s] as const)))(
      "shares a finished %s session in %s with exactly the six claims",
      async (kind, status) => {
        const sessionId = sessions[kind]![status]!;
        const res = await sandbox.api.share(x.key, sessionId, { for_application_id: y.id });
        expect(res.status).toBe(shareOk);
        expect(Object.keys(res.body as object).sort()).toEqual([
          "for_application_id",
          "session_kind",
          "share_token",
        ]);
        const body = res.body as { share_token: string; for_application_id: string; session_kind: string };
        expect(body.for_application_id).toBe(y.id);
        expect(body.session_kind).toBe(kind);
        const claims = claimsOf(body.share_token);
        expect(Object.keys(claims).sort()).toEqual(
          ["exp", "for_application_id", "from_application_id", "iat", "session_id", "session_kind"].sort(),
        );
        expect(claims).toMatchObject({
          session_id: sessionId,
          from_application_id: x.id,
          for_application_id: y.id,
          session_kind: kind,
        });
        expect(claims.exp! - claims.iat!).toBe(3600);
        expect(Math.abs(claims.iat! - Date.now() / 1000)).toBeLessThan(30);
        const [header] = body.share_token.split(".");
        expect(JSON.parse(Buffer.from(header!, "base64url").toString())).toMatchObject({ alg: "HS256" });
      },
    );

    it.each(KINDS.flatMap((k) => UNFINISHED.map((s) => [k, s] as const)))(
      "refuses a %s session in %s: only finished sessions",
      async (kind, status) => {
        const res = await sandbox.api.share(x.key, sessions[kind]![status]!, { for_application_id: y.id });
        expect(res.status).toBe(400);
        expect(res.body).toEqual(FINISHED_ONLY);
      },
    );

    it.each([
      [59, 400, { ttl_in_seconds: ["Ensure this value is greater than or equal to 60."] }],
      [60, "ok", 60],
      [3600, "ok", 3600],
      [86400, "ok", 86400],
      [86401, 400, { ttl_in_seconds: ["Ensure this value is less than or equal to 86400."] }],
      [1.5, 400, { ttl_in_seconds: ["A valid integer is required."] }],
      ["60", 400, { ttl_in_seconds: ["A valid integer is required."] }],
      [true, 400, { ttl_in_seconds: ["A valid integer is required."] }],
      [null, 400, { ttl_in_seconds: ["This field may not be null."] }],
      [[60], 400, { ttl_in_seconds: ["A valid integer is required."] }],
    ])("ttl_in_seconds %j → %s", async (ttl, outcome, expected) => {
      const res = await sandbox.api.share(x.key, sessions.user!.Approved!, {
        for_application_id: y.id,
        ttl_in_seconds: ttl,
      });
      if (outcome === "ok") {
        expect(res.status).toBe(shareOk);
        const claims = claimsOf((res.body as { share_token: string }).share_token);
        expect(claims.exp! - claims.iat!).toBe(expected);
      } else {
        expect(res.status).toBe(outcome);
        expect(res.body).toEqual(expected);
      }
    });

    it("refuses bad targets: missing, not a uuid, unknown, deleted, self", async () => {
      const id = sessions.user!.Approved!;
      const cases: [unknown, unknown][] = [
        [{}, { for_application_id: ["This field is required."] }],
        [{ for_application_id: null }, { for_application_id: ["This field may not be null."] }],
        [{ for_application_id: "partner-app-uuid" }, { for_application_id: ["Must be a valid UUID."] }],
        [{ for_application_id: 42 }, { for_application_id: ["Must be a valid UUID."] }],
        [
          { for_application_id: "00000000-0000-4000-8000-000000000000" },
          { for_application_id: ["Target application does not exist."] },
        ],
        [
          { for_application_id: deletedApp.id },
          { for_application_id: ["Target application does not exist."] },
        ],
        [
          { for_application_id: x.id },
          { for_application_id: ["Cannot share a session with the same application."] },
        ],
      ];
      for (const [body, expected] of cases) {
        const res = await sandbox.api.share(x.key, id, body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body, JSON.stringify(body)).toEqual(expected);
      }
    });

    it("accepts an upper-case target uuid and answers it canonically", async () => {
      const res = await sandbox.api.share(x.key, sessions.user!.Approved!, {
        for_application_id: y.id.toUpperCase(),
      });
      expect(res.status).toBe(shareOk);
      expect((res.body as { for_application_id: string }).for_application_id).toBe(y.id);
    });

    it("answers 404 for another application's session, an unknown id and a non-uuid id", async () => {
      const foreign = await sandbox.api.newSession(y, "user", "Approved");
      for (const id of [foreign.session_id, "00000000-0000-4000-8000-000000000000", "not-a-uuid"]) {
        const res = await sandbox.api.share(x.key, id, { for_application_id: z.id });
        expect(res.status, id).toBe(404);
        expect(res.body).toEqual(NOT_FOUND);
      }
    });

    it("answers 401 without a key or with an unknown key, 403 for a key without write:sessions", async () => {
      const id = sessions.user!.Approved!;
      for (const key of [null, "sbx_not-a-real-key", deletedApp.key]) {
        const res = await sandbox.api.share(key, id, { for_application_id: y.id });
        expect(res.status).toBe(401);
        expect(typeof (res.body as { detail: unknown }).detail).toBe("string");
      }
      const readOnly = await sandbox.api.newKey(x.id, ["read:sessions", "delete:sessions"]);
      const res = await sandbox.api.share(readOnly, id, { for_application_id: y.id });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(PERMISSION_DENIED);
    });

    it("ignores unknown fields; refuses malformed JSON and non-object bodies", async () => {
      const id = sessions.user!.Declined!;
      const ok = await sandbox.api.share(x.key, id, {
        for_application_id: y.id,
        colour: "blue",
        ttl_in_seconds: 120,
      });
      expect(ok.status).toBe(shareOk);
      const bad = await sandbox.api.call("POST", `/sandbox/v3/session/${id}/share/`, {
        key: x.key,
        rawBody: '{"for_application_id": ',
      });
      expect(bad.status).toBe(400);
      expect((bad.body as { detail: string }).detail).toMatch(/^JSON parse error - /);
      const list = await sandbox.api.call("POST", `/sandbox/v3/session/${id}/share/`, {
        key: x.key,
        rawBody: "[1]",
      });
      expect(list.status).toBe(400);
    });

    it("records each share by token hash only, and allows minting again for the same session", async () => {
      const id = sessions.business!["In Review"]!;
      const a = await sandbox.api.mint(x, id, y);
      const b = await sandbox.api.mint(x, id, y, 120);
      expect(a).not.toBe(b);
      const rows = await sandbox.t.db.select().from(sandboxShares).where(eq(sandboxShares.sessionId, id));
      expect(rows.length).toBeGreaterThanOrEqual(2);
      const stored = JSON.stringify(rows);
      expect(stored).not.toContain(a);
      expect(stored).not.toContain(b);
      expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.tokenHash))).toBe(true);
    });
  });

  describe("POST /v3/session/import-shared/", () => {
    it.each(
      KINDS.flatMap((k) => FINISHED.flatMap((s) => [true, false].map((trust) => [k, s, trust] as const))),
    )("imports a %s session in %s with trust_review %s", async (kind, status, trust) => {
      const sourceId = await fresh(kind, status);
      const token = await sandbox.api.mint(x, sourceId, y);
      const vendorData = `vd-${kind}-${status}-${trust}`.replace(/ /g, "_");
      const before = await sandbox.t.db
        .select({ n: sql<number>`count(*)::int` })
        .from(sandboxEntities)
        .where(and(eq(sandboxEntities.applicationId, y.id), eq(sandboxEntities.vendorData, vendorData)));
      expect(Number(before[0]!.n)).toBe(0);
      const res = await sandbox.api.importShared(y.key, {
        share_token: token,
        workflow_id: y.workflows[kind],
        vendor_data: vendorData,
        trust_review: trust,
      });
      expect(res.status, res.text).toBe(201);
      const body = res.body as Record<string, unknown>;
      expect(body.session_id).not.toBe(sourceId);
      expect(body).toMatchObject({
        session_kind: kind,
        status: wireStatus(kind, trust ? status : "In Review", profile),
        shared_from_session: sourceId,
        vendor_data: vendorData,
        workflow_id: y.workflows[kind],
      });
      expect(typeof body.session_number).toBe("number");
      // The full payload is cloned: every feature array equals the source's.
      const source = (await sandbox.api.decision(x.key, sourceId)).body as Record<string, unknown>;
      for (const key of featureKeysOf(kind, profile)) {
        expect(Array.isArray(body[key]), key).toBe(true);
        expect(body[key], key).toEqual(source[key]);
      }
      const imported = await sandbox.api.decision(y.key, body.session_id as string);
      expect(imported.status).toBe(200);
      expect(imported.body).toMatchObject({ shared_from_session: sourceId, vendor_data: vendorData });
      const entities = await sandbox.t.db
        .select()
        .from(sandboxEntities)
        .where(and(eq(sandboxEntities.applicationId, y.id), eq(sandboxEntities.vendorData, vendorData)));
      expect(entities.map((e) => e.kind)).toEqual([kind]);
    });

    it("numbers imported sessions with the importer's next session_number", async () => {
      const importer = await sandbox.api.newApp(profile);
      await sandbox.api.newSession(importer, "user", "Approved");
      await sandbox.api.newSession(importer, "business", "Approved");
      const numbers: number[] = [];
      for (const status of FINISHED) {
        const token = await sandbox.api.mint(x, await fresh("user", status), importer);
        const res = await sandbox.api.importShared(importer.key, { share_token: token, trust_review: true });
        expect(res.status, res.text).toBe(201);
        numbers.push((res.body as { session_number: number }).session_number);
      }
      expect(numbers).toEqual([3, 4, 5]);
    });

    it("uses the caller's default workflow of the token's kind when workflow_id is missing", async () => {
      const token = await sandbox.api.mint(x, await fresh("business", "Approved"), z);
      const res = await sandbox.api.importShared(z.key, { share_token: token });
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject({
        workflow_id: z.workflows.business,
        status: wireStatus("business", "In Review", profile), // trust_review defaults to false
        vendor_data: null,
      });
    });

    it("refuses a malformed token and a token with a bad signature", async () => {
      const good = await sandbox.api.mint(x, sessions.user!.Approved!, y);
      const [h, p] = good.split(".");
      const forged = await signToken(claimsOf(good), "another-secret-that-is-long-enough-32+");
      for (const token of ["abc", "a.b.c", `${h}.${p}.`, `${h}.${p}.AAAA`, forged]) {
        const res = await sandbox.api.importShared(y.key, { share_token: token, trust_review: false });
        expect(res.status, token).toBe(errors.invalid!.status);
        expect(res.body, token).toEqual(errors.invalid!.body);
      }
    });

    it("refuses a token past exp on the sandbox clock, accepts it before", async () => {
      const token = await sandbox.api.mint(x, await fresh("user", "Declined"), y, 60);
      try {
        await sandbox.api.setClock(61);
        const late = await sandbox.api.importShared(y.key, { share_token: token, trust_review: false });
        expect(late.status).toBe(errors.expired!.status);
        expect(late.body).toEqual(errors.expired!.body);
        await sandbox.api.setClock(50);
        const inTime = await sandbox.api.importShared(y.key, { share_token: token, trust_review: false });
        expect(inTime.status, inTime.text).toBe(201);
      } finally {
        await sandbox.api.setClock(0);
      }
    });

    it("refuses a token minted for another application", async () => {
      const token = await sandbox.api.mint(x, sessions.user!.Approved!, y);
      const res = await sandbox.api.importShared(z.key, { share_token: token, trust_review: true });
      expect(res.status).toBe(errors.wrongApp!.status);
      expect(res.body).toEqual(errors.wrongApp!.body);
    });

    it("refuses a workflow that is not the caller's or not of the token's kind", async () => {
      const token = await sandbox.api.mint(x, await fresh("user", "Approved"), y);
      for (const workflow_id of [
        "00000000-0000-4000-8000-000000000000",
        x.workflows.user,
        y.workflows.business,
        "wf_partner_kyc",
      ]) {
        const res = await sandbox.api.importShared(y.key, {
          share_token: token,
          workflow_id,
          trust_review: true,
        });
        expect(res.status, workflow_id).toBe(errors.workflow!.status);
        expect(res.body, workflow_id).toEqual(errors.workflow!.body);
      }
      // Nothing was consumed: the token still imports.
      const ok = await sandbox.api.importShared(y.key, { share_token: token, workflow_id: y.workflows.user });
      expect(ok.status, ok.text).toBe(201);
    });

    it("refuses a second import of the same token", async () => {
      const token = await sandbox.api.mint(x, await fresh("business", "Declined"), z);
      expect((await sandbox.api.importShared(z.key, { share_token: token, trust_review: true })).status).toBe(
        201,
      );
      const again = await sandbox.api.importShared(z.key, { share_token: token, trust_review: true });
      expect(again.status).toBe(errors.already!.status);
      expect(again.body).toEqual(errors.already!.body);
    });

    it(
      profile === "recipe"
        ? "keys the duplicate rule on the token: a fresh token for an imported session imports again"
        : "keys the duplicate rule on the source session: a fresh token for an imported session is refused",
      async () => {
        const source = await sandbox.api.newSession(x, "user", "Approved");
        const first = await sandbox.api.mint(x, source.session_id, y);
        expect(
          (await sandbox.api.importShared(y.key, { share_token: first, trust_review: true })).status,
        ).toBe(201);
        // Another TTL here; a second mint with the same TTL is a fresh token too (see below).
        const fresh = await sandbox.api.mint(x, source.session_id, y, 1800);
        expect(fresh).not.toBe(first);
        const res = await sandbox.api.importShared(y.key, { share_token: fresh, trust_review: true });
        if (profile === "recipe") {
          expect(res.status, res.text).toBe(201);
        } else {
          expect(res.status).toBe(errors.already!.status);
          expect(res.body).toEqual(errors.already!.body);
        }
        // Another application may still import the same session.
        const forZ = await sandbox.api.mint(x, source.session_id, z);
        expect(
          (await sandbox.api.importShared(z.key, { share_token: forZ, trust_review: true })).status,
        ).toBe(201);
      },
    );

    it("mints a distinct token each time, even twice in one second with the same TTL", async () => {
      const source = await sandbox.api.newSession(x, "user", "Approved");
      const tokens = [];
      for (let i = 0; i < 3; i++) tokens.push(await sandbox.api.mint(x, source.session_id, y));
      expect(new Set(tokens).size).toBe(3);
      for (const token of tokens) {
        const claims = claimsOf(token);
        expect(claims.exp! - claims.iat!).toBe(3600);
        expect(Math.abs(claims.iat! - Date.now() / 1000)).toBeLessThan(30);
      }
      expect(
        (await sandbox.api.importShared(y.key, { share_token: tokens[0], trust_review: true })).status,
      ).toBe(201);
      const second = await sandbox.api.importShared(y.key, { share_token: tokens[1], trust_review: true });
      if (profile === "recipe") {
        expect(second.status, second.text).toBe(201);
      } else {
        expect(second.status).toBe(errors.already!.status);
        expect(second.body).toEqual(errors.already!.body);
      }
    });

    it("applies the checks in the order of the §4 table when several fail, writing nothing", async () => {
      const now = Math.floor(Date.now() / 1000);
      const otherWorkflow = x.workflows.user;
      const expect4 = async (body: Record<string, unknown>, key: string, error: string) => {
        const res = await sandbox.api.importShared(key, {
          trust_review: true,
          workflow_id: otherWorkflow,
          ...body,
        });
        expect(res.status, `${error}: ${res.text}`).toBe(errors[error]!.status);
        expect(res.body).toEqual(errors[error]!.body);
      };
      const source = await sandbox.api.newSession(x, "user", "Approved");
      const claims = claimsOf(await sandbox.api.mint(x, source.session_id, z));
      // A token that does not verify is invalid, whatever its exp says.
      await expect4(
        {
          share_token: await signToken({ ...claims, exp: now - 1 }, "another-secret-that-is-long-enough-32+"),
        },
        y.key,
        "invalid",
      );
      // Expired beats another application.
      await expect4(
        { share_token: await signToken({ ...claims, iat: now - 120, exp: now - 60 }) },
        y.key,
        "expired",
      );
      // Another application beats a deleted source and a bad workflow.
      const doomed = await sandbox.api.newSession(x, "user", "Declined");
      const forZ = await sandbox.api.mint(x, doomed.session_id, z);
      const forY = await sandbox.api.mint(x, doomed.session_id, y);
      const importedForY = await sandbox.api.mint(x, await fresh("user", "Approved"), y);
      expect(
        (await sandbox.api.importShared(y.key, { share_token: importedForY, trust_review: true })).status,
      ).toBe(201);
      await expect4({ share_token: importedForY }, z.key, "wrongApp");
      // Already imported beats a bad workflow.
      await expect4({ share_token: importedForY }, y.key, "already");
      // A deleted source beats a bad workflow.
      const del = await sandbox.api.call("DELETE", `/sandbox/v3/session/${doomed.session_id}/delete/`, {
        key: x.key,
      });
      expect(del.status).toBe(204);
      await expect4({ share_token: forZ }, y.key, "wrongApp");
      await expect4({ share_token: forY }, y.key, "sourceDeleted");
      // None of these refusals wrote an import row.
      const rows = await sandbox.t.db
        .select({ id: sandboxImports.id })
        .from(sandboxImports)
        .where(eq(sandboxImports.sourceSessionId, doomed.session_id));
      expect(rows).toEqual([]);
    });

    it("refuses a token whose source session was deleted", async () => {
      const source = await sandbox.api.newSession(x, "business", "Approved");
      const token = await sandbox.api.mint(x, source.session_id, y);
      const del = await sandbox.api.call("DELETE", `/sandbox/v3/session/${source.session_id}/delete/`, {
        key: x.key,
      });
      expect(del.status).toBe(204);
      const res = await sandbox.api.importShared(y.key, { share_token: token, trust_review: true });
      expect(res.status).toBe(errors.sourceDeleted!.status);
      expect(res.body).toEqual(errors.sourceDeleted!.body);
    });

    it("imports a legacy token without session_kind as a user session", async () => {
      const iat = Math.floor(Date.now() / 1000);
      const token = await signToken({
        session_id: await fresh("user", "In Review"),
        from_application_id: x.id,
        for_application_id: y.id,
        iat,
        exp: iat + 600,
      });
      const res = await sandbox.api.importShared(y.key, {
        share_token: token,
        trust_review: true,
        vendor_data: "legacy-1",
      });
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject({
        session_kind: "user",
        status: "In Review",
        workflow_id: y.workflows.user,
      });
    });

    it("validates the body: share_token required, trust_review a boolean, vendor_data a string", async () => {
      const token = await sandbox.api.mint(x, await fresh("user", "Approved"), y);
      const cases: [unknown, unknown][] = [
        [{}, { share_token: ["This field is required."] }],
        [{ share_token: "" }, { share_token: ["This field may not be blank."] }],
        [{ share_token: 7 }, { share_token: ["Not a valid string."] }],
        [{ share_token: token, trust_review: "true" }, { trust_review: ["Must be a valid boolean."] }],
        [{ share_token: token, trust_review: 1 }, { trust_review: ["Must be a valid boolean."] }],
        [{ share_token: token, trust_review: null }, { trust_review: ["This field may not be null."] }],
        [{ share_token: token, vendor_data: 42 }, { vendor_data: ["Not a valid string."] }],
      ];
      for (const [body, expected] of cases) {
        const res = await sandbox.api.importShared(y.key, body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body, JSON.stringify(body)).toEqual(expected);
      }
      const malformed = await sandbox.api.call("POST", "/sandbox/v3/session/import-shared/", {
        key: y.key,
        rawBody: "{",
      });
      expect(malformed.status).toBe(400);
      expect((malformed.body as { detail: string }).detail).toMatch(/^JSON parse error - /);
      // None of these consumed the token.
      const ok = await sandbox.api.importShared(y.key, {
        share_token: token,
        trust_review: false,
        extra: "ignored",
      });
      expect(ok.status, ok.text).toBe(201);
    });

    it("answers 403 without a key, with an unknown key and for a key without write:sessions", async () => {
      const token = await sandbox.api.mint(x, sessions.user!.Approved!, y);
      const readOnly = await sandbox.api.newKey(y.id, ["read:sessions"]);
      for (const key of [null, "sbx_nope", readOnly]) {
        const res = await sandbox.api.importShared(key, { share_token: token, trust_review: true });
        expect(res.status).toBe(403);
        expect(res.body).toEqual(PERMISSION_DENIED);
      }
    });

    it("deep-copies the payload: later changes to the source do not reach the import", async () => {
      const source = await sandbox.api.newSession(x, "user", "In Review", { seed: "deep-copy" });
      const token = await sandbox.api.mint(x, source.session_id, y);
      const res = await sandbox.api.importShared(y.key, { share_token: token, trust_review: true });
      expect(res.status).toBe(201);
      const importedId = (res.body as { session_id: string }).session_id;
      await sandbox.t.db
        .update(sandboxSessions)
        .set({ payload: sql`jsonb_set(${sandboxSessions.payload}, '{mutated}', 'true')` })
        .where(eq(sandboxSessions.id, source.session_id));
      const patch = await sandbox.api.call(
        "PATCH",
        `/sandbox/v3/session/${source.session_id}/update-status/`,
        {
          key: x.key,
          body: { new_status: "Declined" },
        },
      );
      expect(patch.status).toBe(200);
      const [row] = await sandbox.t.db
        .select()
        .from(sandboxSessions)
        .where(eq(sandboxSessions.id, importedId));
      expect(row!.status).toBe("In Review");
      expect(row!.payload).not.toHaveProperty("mutated");
      expect(row!.sharedFromSession).toBe(source.session_id);
    });

    it("redeems one token exactly once under 50 concurrent imports", async () => {
      const importer = await sandbox.api.newApp(profile, "racer");
      const token = await sandbox.api.mint(x, sessions.user!.Approved!, importer);
      const results = await Promise.all(
        Array.from({ length: 50 }, () =>
          sandbox.api.importShared(importer.key, {
            share_token: token,
            trust_review: true,
            vendor_data: "racer-1",
          }),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.filter((s) => s === 403)).toHaveLength(49);
      for (const r of results.filter((r) => r.status === 403)) expect(r.body).toEqual(errors.already!.body);
      const created = await sandbox.t.db
        .select()
        .from(sandboxSessions)
        .where(eq(sandboxSessions.applicationId, importer.id));
      expect(created).toHaveLength(1);
      expect(created[0]!.number).toBe(1);
      const imports = await sandbox.t.db
        .select()
        .from(sandboxImports)
        .where(eq(sandboxImports.applicationId, importer.id));
      expect(imports).toHaveLength(1);
    });
  });
});
