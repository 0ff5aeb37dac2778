import { randomUUID } from "node:crypto";
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { connectedApplications, sessionMirror, shares } from "@/lib/server/db/schema";
import type { DiditSessionRow } from "@/lib/server/didit/types";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";
import { insertUser, type TestUser } from "@/test/session";
import { listInbox } from "@/lib/server/services/receiving";
import { getLineage, searchLineage } from "@/lib/server/services/lineage";
import { contextOf, insertImportedClone } from "@/lib/server/services/reviews/reviews.test-kit";
import { listImports } from "@/lib/server/services/reviews";
import { upsertMirrorRows } from "./mirror";
import { addPartner } from "@/lib/server/services/sharing/shares.test-kit";
import { getShare, listShares } from "@/lib/server/services/sharing";

/**
 * Names in queues (issue 15, item 6): reviews, shares, inbox items and lineage nodes carry whom the
 * session is about, from the session mirror, for a role that may read names (`sessions.read`);
 * redacted rows say removed; a role without `sessions.read` gets no name at all. Every current role
 * holds `sessions.read`, so the last case takes it away from the auditor through the one `can`.
 */
const denied = vi.hoisted(() => ({ auditorSessionsRead: false }));
vi.mock("@/lib/rbac", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/rbac")>();
  return {
    ...actual,
    can: (role: Parameters<typeof actual.can>[0], permission: Parameters<typeof actual.can>[1]) =>
      denied.auditorSessionsRead && role === "auditor" && permission === "sessions.read"
        ? false
        : actual.can(role, permission),
  };
});

let t: TestDatabase;
let officer: TestUser;
let auditor: TestUser;
let bank: string;
let partner: { id: string; diditApplicationId: string };
const kohlerClone = randomUUID();
const removedClone = randomUUID();
const kohlerSource = randomUUID();
const removedSource = randomUUID();
let kohlerImport: string;
let removedImport: string;
let kohlerShare: string;
let removedShare: string;

function mirrorRow(sessionId: string, n: number, fullName: string): DiditSessionRow {
  return {
    sessionId,
    sessionKind: "user",
    sessionNumber: 7000 + n,
    status: "In Review",
    vendorData: `subject-${n}`,
    workflowId: null,
    createdAt: new Date(Date.UTC(2026, 10, 1, 0, n)),
    fullName,
    companyName: null,
    registrationNumber: null,
    documentType: "Passport",
    country: "DEU",
    features: [],
  };
}

async function insertShare(sessionId: string, sessionNumber: number): Promise<string> {
  const now = new Date();
  const [row] = await t.db
    .insert(shares)
    .values({
      applicationId: bank,
      partnerId: partner.id,
      sessionId,
      sessionKind: "user",
      sessionNumber,
      sourceStatus: "Approved",
      forApplicationId: partner.diditApplicationId,
      ttlSeconds: 3600,
      tokenHash: `test-${randomUUID()}`,
      claims: {},
      issuedAt: now,
      expiresAt: new Date(now.getTime() + 3_600_000),
      channel: "push",
      state: "delivered",
      deliveredAt: now,
      manifest: {
        session_number: sessionNumber,
        status: "Approved",
        created_at: null,
        features: [],
        agreement_reference: "DSA-2026-001",
      },
      agreement: {
        reference: "DSA-2026-001",
        signedOn: "2026-01-01",
        expiresOn: "2099-12-31",
        partnerStatus: "active",
      },
    })
    .returning({ id: shares.id });
  return row!.id;
}

beforeAll(async () => {
  t = await createTestDatabase({ sandbox: false });
  officer = await insertUser(t.db, "officer");
  auditor = await insertUser(t.db, "auditor");
  bank = randomUUID();
  await t.db.insert(connectedApplications).values({
    id: bank,
    name: "Bank",
    diditApplicationId: randomUUID(),
    environment: "sandbox",
  });
  const diditApplicationId = randomUUID();
  const added = await addPartner(t.db, {
    applicationId: bank,
    diditApplicationId,
    channel: "push",
    direction: "both",
  });
  partner = { id: added.id, diditApplicationId };
  await upsertMirrorRows(t.db, bank, [
    mirrorRow(kohlerClone, 1, "Anna Köhler"),
    mirrorRow(removedClone, 2, "Erased Person"),
    mirrorRow(kohlerSource, 3, "Anna Köhler"),
    mirrorRow(removedSource, 4, "Erased Person"),
  ]);
  // As retention and erasure leave a row: no personal fields, the redaction mark set.
  await t.db
    .update(sessionMirror)
    .set({ displayName: null, vendorData: null, searchText: "", redactedAt: new Date() })
    .where(inArray(sessionMirror.diditSessionId, [removedClone, removedSource]));
  kohlerImport = await insertImportedClone(t.db, {
    applicationId: bank,
    cloneSessionId: kohlerClone,
    importedBy: officer.id,
    partner,
  });
  removedImport = await insertImportedClone(t.db, {
    applicationId: bank,
    cloneSessionId: removedClone,
    importedBy: officer.id,
    partner,
  });
  kohlerShare = await insertShare(kohlerSource, 7003);
  removedShare = await insertShare(removedSource, 7004);
});

afterAll(async () => {
  await t?.close();
});

describe(`names in queues (${testDriver()})`, () => {
  it("the review queue names whom each clone is about, in two queries a page; a redacted one says removed", async () => {
    let selects = 0;
    const db = new Proxy(t.db, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop !== "select" || typeof value !== "function") return value;
        return (...args: unknown[]) => {
          selects++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const page = await listImports({ ...contextOf(t.db, officer), db }, { status: "In Review", limit: 50 });
    expect(selects).toBe(2);
    const byId = new Map(page.items.map((i) => [i.id, i]));
    expect(byId.get(kohlerImport)!.subject).toEqual({ name: "Anna Köhler", removed: false });
    expect(byId.get(removedImport)!.subject).toEqual({ name: null, removed: true });
  });

  it("shares, inbox items and lineage nodes carry the name; redacted ones say removed", async () => {
    const ctx = contextOf(t.db, officer);
    const list = await listShares(ctx, { limit: 50 });
    const share = new Map(list.items.map((s) => [s.id, s]));
    expect(share.get(kohlerShare)!.subject).toEqual({ name: "Anna Köhler", removed: false });
    expect(share.get(removedShare)!.subject).toEqual({ name: null, removed: true });
    expect((await getShare(ctx, kohlerShare)).subject).toEqual({ name: "Anna Köhler", removed: false });
    expect((await getShare(ctx, removedShare)).subject).toEqual({ name: null, removed: true });

    const inbox = await listInbox(ctx, { limit: 50 });
    const items = inbox.items.filter((i) => i.import?.id === kohlerImport || i.import?.id === removedImport);
    expect(items.map((i) => [i.import!.id, i.subject]).sort()).toEqual(
      [
        [kohlerImport, { name: "Anna Köhler", removed: false }],
        [removedImport, { name: null, removed: true }],
      ].sort(),
    );

    const graph = await getLineage(ctx, kohlerClone);
    expect(graph.nodes.find((n) => n.id === kohlerClone)!.subject).toEqual({
      name: "Anna Köhler",
      removed: false,
    });
    const erased = await getLineage(ctx, removedClone);
    expect(erased.nodes.find((n) => n.id === removedClone)!.subject).toEqual({ name: null, removed: true });
    expect(JSON.stringify(erased)).not.toContain("Erased Person");
  });

  it('"Kohler" finds Köhler in every search box: reviews, shares, inbox and lineage', async () => {
    const ctx = contextOf(t.db, officer);
    for (const q of ["Kohler", "koehler", "KÖHLER"]) {
      expect(
        (await listImports(ctx, { q })).items.map((i) => i.id),
        q,
      ).toEqual([kohlerImport]);
      expect(
        (await listShares(ctx, { q, limit: 50 })).items.map((s) => s.id),
        q,
      ).toEqual([kohlerShare]);
      expect(
        (await listInbox(ctx, { q, limit: 50 })).items.map((i) => i.import?.id),
        q,
      ).toEqual([kohlerImport]);
      expect((await searchLineage(ctx, q)).matches.map((m) => m.sessionId).sort(), q).toEqual(
        [kohlerClone, kohlerSource].sort(),
      );
    }
    expect((await listImports(ctx, { q: "Erased" })).items).toHaveLength(0);
    expect((await listShares(ctx, { q: "Erased", limit: 50 })).items).toHaveLength(0);
  });

  it("a role without sessions.read gets no names and cannot search by them (server-side)", async () => {
    denied.auditorSessionsRead = true;
    try {
      const ctx = contextOf(t.db, auditor);
      const reviews = await listImports(ctx, { status: "In Review", limit: 50 });
      const sharesPage = await listShares(ctx, { limit: 50 });
      const inbox = await listInbox(ctx, { limit: 50 });
      const graph = await getLineage(ctx, kohlerClone);
      const share = await getShare(ctx, kohlerShare);
      expect(reviews.items.length).toBeGreaterThan(0);
      for (const dto of [reviews.items, sharesPage.items, inbox.items, graph.nodes, [share]].flat()) {
        expect("subject" in dto).toBe(false);
      }
      const everything = JSON.stringify([reviews, sharesPage, inbox, graph, share]);
      expect(everything).not.toContain("Köhler");
      expect((await listImports(ctx, { q: "Kohler" })).items).toHaveLength(0);
      expect((await listShares(ctx, { q: "Kohler", limit: 50 })).items).toHaveLength(0);
      expect((await listInbox(ctx, { q: "Kohler", limit: 50 })).items).toHaveLength(0);
      expect((await searchLineage(ctx, "Kohler")).matches).toHaveLength(0);
      // The same role with sessions.read back reads them.
      denied.auditorSessionsRead = false;
      const again = await listShares(ctx, { limit: 50 });
      expect(again.items.find((s) => s.id === kohlerShare)!.subject?.name).toBe("Anna Köhler");
    } finally {
      denied.auditorSessionsRead = false;
    }
  });

  it("a row not mirrored yet has no name, and is not called removed", async () => {
    const clone = randomUUID();
    const id = await insertImportedClone(t.db, {
      applicationId: bank,
      cloneSessionId: clone,
      importedBy: officer.id,
      partner,
    });
    const page = await listImports(contextOf(t.db, officer), { status: "In Review", limit: 50 });
    expect(page.items.find((i) => i.id === id)!.subject).toEqual({ name: null, removed: false });
    await t.db.delete(sessionMirror).where(eq(sessionMirror.diditSessionId, clone));
  });
});
