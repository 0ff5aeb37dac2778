import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as importRoute from "@/app/api/inbox/[id]/import/route";
import * as rejectRoute from "@/app/api/inbox/[id]/reject/route";
import type { ImportDto } from "@/lib/schemas/imports";
import { open } from "@/lib/server/crypto/envelope";
import {
  auditEvents,
  connectedApplications,
  imports,
  inboxItems,
  partners,
  sessionMirror,
  shareReceipts,
  shares,
} from "@/lib/server/db/schema";
import { createDiditClient, type DiditClient } from "@/lib/server/didit";
import { runDueJobs } from "@/lib/server/jobs";
import { systemContext } from "@/lib/server/kernel";
import { registerProductJobs } from "@/lib/server/services/jobs";
import { AUTO_IMPORT_QUEUE, enqueueAutoImport } from "./auto-import";
import { createImport } from "./import";
import { importOfItem } from "./import-records";
import { RECONCILE_AFTER_MS, RECONCILE_QUEUE } from "./reconcile";
import type { Sender } from "./inbox.test-kit";
import { importWorld, type ImportWorld } from "./import.test-kit";
import { createShare } from "@/lib/server/services/sharing";
import {
  addPartner,
  captureLogs,
  connectApp,
  databaseText,
} from "@/lib/server/services/sharing/shares.test-kit";
import { testDriver } from "@/test/database";
import type { TestApp } from "@/test/sandbox-fixtures";
import { insertUser, request, sessionCookie, type TestUser } from "@/test/session";

type ErrorBody = {
  error: {
    code: string;
    message: string;
    details?: { importId?: string; fields?: Record<string, string[]> };
  };
};
type Answer = { status: number; body: ImportDto & ErrorBody; text: string };

let x: ImportWorld;
let officer: TestUser;
let officerCookie: string;
let auditor: TestUser;
let admin: TestUser;
let logs: ReturnType<typeof captureLogs>;
const tokens: string[] = [];
const answers: string[] = [];

async function importVia(itemId: string, body: unknown = {}, user?: TestUser): Promise<Answer> {
  const req = await request(`/api/inbox/${itemId}/import`, {
    method: "POST",
    ...(user ? { user } : { cookie: officerCookie }),
    body,
  });
  const res = await importRoute.POST(req, { params: Promise.resolve({ id: itemId }) });
  const text = await res.text();
  answers.push(text);
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Answer["body"], text };
}

async function newItem(opts?: Parameters<ImportWorld["item"]>[0]) {
  const made = await x.item(opts);
  tokens.push(made.token);
  return made;
}

async function itemRow(id: string) {
  const [row] = await x.w.t.db.select().from(inboxItems).where(eq(inboxItems.id, id));
  return row!;
}

async function importsOf(itemId: string) {
  return x.w.t.db.select().from(imports).where(eq(imports.inboxItemId, itemId));
}

async function auditsOf(importId: string) {
  return x.w.t.db.select().from(auditEvents).where(eq(auditEvents.entityId, importId));
}

/** The clone as the sandbox holds it, through Northwind Bank's key. */
async function cloneAtDidit(sessionId: string) {
  const res = await x.w.api.decision(x.w.bank.key, sessionId);
  expect(res.status, res.text).toBe(200);
  return res.body as { session_id: string; shared_from_session: string; vendor_data: string; status: string };
}

/** Sessions of Northwind Bank at the sandbox with this vendor_data. */
async function sandboxSessionsWith(vendorData: string) {
  const res = await x.w.api.call(
    "GET",
    `/sandbox/v3/sessions/?vendor_data=${encodeURIComponent(vendorData)}`,
    {
      key: x.w.bank.key,
    },
  );
  expect(res.status, res.text).toBe(200);
  return (res.body as { results: { session_id: string }[] }).results;
}

beforeAll(async () => {
  logs = captureLogs();
  x = await importWorld();
  officer = await insertUser(x.w.t.db, "officer");
  officerCookie = await sessionCookie(officer);
  auditor = await insertUser(x.w.t.db, "auditor");
  admin = await insertUser(x.w.t.db, "admin");
  registerProductJobs();
}, 60_000);

afterAll(async () => {
  logs?.restore();
  await x?.close();
});

describe(`Import, exactly once (${testDriver()})`, () => {
  it("imports a pushed token: 201 with the import, the clone at Didit with its lineage, the item imported, the token destroyed, mirrored and audited", async () => {
    const item = await newItem();
    x.proxy.reset();
    const res = await importVia(item.id);
    expect(res.status, res.text).toBe(201);
    const dto = res.body;
    expect(dto).toMatchObject({
      inboxItemId: item.id,
      applicationId: x.w.bankRow,
      partnerId: x.sender.id,
      sourceSessionId: item.sourceSessionId,
      sharedFromSession: item.sourceSessionId,
      sessionKind: "user",
      state: "imported",
      // The partner's policy: trust_review false, so the clone waits for our own review.
      trustReview: false,
      statusAtImport: "In Review",
      workflowId: x.w.bank.workflows.user,
      vendorData: `handoff-${item.id}`,
      importedBy: { id: officer.id },
      importedByPolicy: null,
      reconciled: false,
      attempts: 1,
    });
    expect(x.importCalls()).toEqual({ received: 1, forwarded: 1 });

    const clone = await cloneAtDidit(dto.cloneSessionId!);
    expect(clone.shared_from_session).toBe(item.sourceSessionId);
    expect(clone.vendor_data).toBe(`handoff-${item.id}`);

    const row = await itemRow(item.id);
    expect(row.state).toBe("imported");
    expect(row.tokenCiphertext).toBeNull();
    const [mirror] = await x.w.t.db
      .select()
      .from(sessionMirror)
      .where(
        and(
          eq(sessionMirror.applicationId, x.w.bankRow),
          eq(sessionMirror.diditSessionId, dto.cloneSessionId!),
        ),
      );
    expect(mirror).toMatchObject({
      sharedFromSession: item.sourceSessionId,
      status: "In Review",
      kind: "user",
    });
    const audit = await auditsOf(dto.id);
    expect(audit.map((a) => a.action)).toEqual(["import.created"]);
    expect(audit[0]!.actorId).toBe(officer.id);
    expect(audit[0]!.data).toMatchObject({ cloneSessionId: dto.cloneSessionId, reconciled: false });
    expect(await importOfItem(x.w.t.db, item.id)).toEqual(dto);
  });

  it("takes the partner's policy: its workflow, trust_review and vendor_data template; the body overrides it", async () => {
    await x.w.t.db
      .update(partners)
      .set({
        trustReview: true,
        importWorkflowUser: x.w.bank.workflows.user,
        vendorDataTemplate: "{partner_id}-{source_session}-{session_kind}",
      })
      .where(eq(partners.id, x.sender.id));
    try {
      const item = await newItem();
      const res = await importVia(item.id);
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject({
        trustReview: true,
        statusAtImport: "Approved",
        vendorData: `${x.sender.id}-${item.sourceSessionId}-user`,
      });
      expect((await cloneAtDidit(res.body.cloneSessionId!)).vendor_data).toBe(res.body.vendorData);

      const other = await newItem();
      const chosen = await importVia(other.id, { trustReview: false, vendorData: "customer-42" });
      expect(chosen.status, chosen.text).toBe(201);
      expect(chosen.body).toMatchObject({
        trustReview: false,
        statusAtImport: "In Review",
        vendorData: "customer-42",
      });
    } finally {
      await x.w.t.db
        .update(partners)
        .set({ trustReview: false, importWorkflowUser: null, vendorDataTemplate: null })
        .where(eq(partners.id, x.sender.id));
    }
  });

  it("imports a KYB token with the KYB workflow", async () => {
    const item = await newItem({ kind: "business" });
    const res = await importVia(item.id);
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      sessionKind: "business",
      workflowId: x.w.bank.workflows.business,
      statusAtImport: "In Review",
    });
  });

  it("100 concurrent imports of one item: one Didit call, one import row, one 201, 99 × 409 already_imported naming it", async () => {
    const item = await newItem();
    x.proxy.reset();
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 100 }, () => importVia(item.id)));
    const elapsed = Date.now() - started;
    const created = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 409);
    expect(created.length, results.map((r) => r.status).join(",")).toBe(1);
    expect(refused.length).toBe(99);
    const winner = created[0]!.body;
    for (const r of refused) {
      expect(r.body.error.code).toBe("already_imported");
      expect(r.body.error.details?.importId).toBe(winner.id);
      expect(r.body.error.message).toContain(winner.id);
    }
    expect(x.importCalls()).toEqual({ received: 1, forwarded: 1 });
    expect(await importsOf(item.id)).toHaveLength(1);
    expect(await sandboxSessionsWith(`handoff-${item.id}`)).toHaveLength(1);
    console.info(`100-way import race (${testDriver()}): resolved in ${elapsed} ms`);

    // Later attempts too: named, nothing asked of Didit.
    const again = await importVia(item.id);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: "already_imported", details: { importId: winner.id } });
    expect(x.importCalls().received).toBe(1);
  }, 60_000);

  it("policy auto: an item from the partner is imported on arrival by a job, with the policy's trust_review", async () => {
    await x.w.t.db
      .update(partners)
      .set({ importMode: "auto", trustReview: true })
      .where(eq(partners.id, x.sender.id));
    try {
      const item = await newItem();
      const row = await itemRow(item.id);
      // The arrival queued it (the inbox calls enqueueAutoImport as it stores the item): again is a no-op.
      const queued = await x.w.t.db.transaction((tx) => enqueueAutoImport(tx, row, { importMode: "auto" }));
      expect(queued).toBe(false);
      const ran = await runDueJobs(x.w.t.db, { queues: [AUTO_IMPORT_QUEUE] });
      expect(ran.done).toBe(1);
      const [imp] = await importsOf(item.id);
      expect(imp).toMatchObject({
        state: "imported",
        importedBy: null,
        importedByPolicy: "auto",
        trustReview: true,
        statusAtImport: "Approved",
      });
      const audit = await auditsOf(imp!.id);
      expect(audit.map((a) => [a.action, a.actorLabel])).toEqual([["import.created", "policy:auto"]]);
      expect(await x.w.t.db.transaction((tx) => enqueueAutoImport(tx, row, { importMode: "manual" }))).toBe(
        false,
      );
    } finally {
      await x.w.t.db
        .update(partners)
        .set({ importMode: "manual", trustReview: false })
        .where(eq(partners.id, x.sender.id));
    }
  });

  it("an internal share (a sister brand): imported, and the sender's share shows the receipt with the clone's id", async () => {
    const sister = await x.w.newSandboxApp("Northwind Pay");
    const sisterRow = await connectApp(x.w.t.db, sister, "Northwind Pay");
    await x.w.t.db
      .update(connectedApplications)
      .set({ defaultWorkflowUser: sister.workflows.user })
      .where(eq(connectedApplications.id, sisterRow));
    // Northwind Bank shares to its sister internally; the sister lists Northwind Bank as a partner.
    const toSister = await addPartner(x.w.t.db, {
      applicationId: x.w.bankRow,
      diditApplicationId: sister.id,
      channel: "internal",
    });
    await addPartner(x.w.t.db, {
      applicationId: sisterRow,
      diditApplicationId: x.w.bank.id,
      channel: "internal",
    });
    const sessionId = await x.w.newSession();
    const ctx = {
      ...systemContext(x.w.t.db),
      actor: { id: officer.id, email: officer.email, name: "Officer", role: "officer" as const },
    };
    const share = await createShare(ctx, { sessionId, partnerId: toSister.id, ttlSeconds: 600 });
    const [item] = await x.w.t.db.select().from(inboxItems).where(eq(inboxItems.localShareId, share.id));
    expect(item!.applicationId).toBe(sisterRow);

    const res = await importVia(item!.id);
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      applicationId: sisterRow,
      sourceSessionId: sessionId,
      senderShareId: share.id,
    });
    const [after] = await x.w.t.db.select().from(shares).where(eq(shares.id, share.id));
    expect(after).toMatchObject({
      receiptStatus: "imported",
      receiptCloneSessionId: res.body.cloneSessionId,
    });
    const receipts = await x.w.t.db.select().from(shareReceipts).where(eq(shareReceipts.shareId, share.id));
    expect(receipts).toMatchObject([{ status: "imported", cloneSessionId: res.body.cloneSessionId }]);
    const shareAudit = await x.w.t.db.select().from(auditEvents).where(eq(auditEvents.entityId, share.id));
    expect(shareAudit.map((a) => a.action)).toContain("share.receipt");
  });

  describe("Didit's refusals become states and messages", () => {
    it("expired at Didit → failed token_expired, 'ask the partner for a new token', the token destroyed", async () => {
      const item = await newItem({ ttl: 60 });
      await x.w.api.setClock(120);
      let res: Answer;
      try {
        res = await importVia(item.id);
      } finally {
        await x.w.api.setClock(0);
      }
      expect(res.status, res.text).toBe(422);
      expect(res.body.error.code).toBe("token_expired");
      expect(res.body.error.message).toMatch(/ask the partner for a new token/);
      const row = await itemRow(item.id);
      expect(row).toMatchObject({ state: "failed", tokenCiphertext: null });
      expect(row.stateReason).toMatch(/ask the partner for a new token/);
      const [imp] = await importsOf(item.id);
      expect(imp).toMatchObject({ state: "failed", failureCode: "token_expired", retryable: false });
      expect((await auditsOf(imp!.id)).map((a) => a.action)).toEqual(["import.failed"]);
      // Failed for good: a second click is refused without asking Didit.
      x.proxy.reset();
      const again = await importVia(item.id);
      expect(again.status).toBe(409);
      expect(again.body.error.details?.importId).toBe(imp!.id);
      expect(x.importCalls().received).toBe(0);
    });

    it("expired here already → 422 token_expired before Didit is asked, nothing written", async () => {
      const item = await newItem({ ttl: 60 });
      await x.w.t.db
        .update(inboxItems)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(eq(inboxItems.id, item.id));
      x.proxy.reset();
      const res = await importVia(item.id);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe("token_expired");
      expect(x.importCalls().received).toBe(0);
      expect(await importsOf(item.id)).toHaveLength(0);
    });

    it("not for us (the token is for another of Didit's applications than the key's) → failed token_not_for_us", async () => {
      const item = await newItem();
      // Another of our applications, with its own key, is made to hold the item.
      const otherRow = await x.w.newConnectedApp("Northwind Pay");
      const [other] = await x.w.t.db
        .select()
        .from(connectedApplications)
        .where(eq(connectedApplications.id, otherRow));
      await x.w.t.db
        .update(connectedApplications)
        .set({ defaultWorkflowUser: x.w.bank.workflows.user })
        .where(eq(connectedApplications.id, otherRow));
      await x.w.t.db.update(inboxItems).set({ applicationId: other!.id }).where(eq(inboxItems.id, item.id));
      const res = await importVia(item.id);
      expect(res.status, res.text).toBe(422);
      expect(res.body.error.code).toBe("token_not_for_us");
      expect(res.body.error.message).toMatch(/another Didit application/);
      expect(await itemRow(item.id)).toMatchObject({ state: "failed", tokenCiphertext: null });
    });

    it("already imported elsewhere (outside this console) → failed already_imported, after looking for our own clone", async () => {
      const item = await newItem();
      const direct = await x.w.api.importShared(x.w.bank.key, {
        share_token: item.token,
        workflow_id: x.w.bank.workflows.user,
        vendor_data: "imported-by-hand",
        trust_review: false,
      });
      expect(direct.status, direct.text).toBe(201);
      const res = await importVia(item.id);
      expect(res.status, res.text).toBe(409);
      expect(res.body.error.code).toBe("already_imported");
      expect(res.body.error.message).toMatch(/already imported into this application outside this console/);
      const [imp] = await importsOf(item.id);
      expect(imp).toMatchObject({ state: "failed", failureCode: "already_imported", cloneSessionId: null });
      expect(await itemRow(item.id)).toMatchObject({ state: "failed", tokenCiphertext: null });
    });

    it("source deleted at the partner → failed source_deleted", async () => {
      const item = await newItem();
      const del = await x.w.api.call("DELETE", `/sandbox/v3/session/${item.sourceSessionId}/delete/`, {
        key: x.sender.app.key,
      });
      expect(del.status, del.text).toBe(204);
      const res = await importVia(item.id);
      expect(res.status, res.text).toBe(409);
      expect(res.body.error.code).toBe("source_deleted");
      expect(res.body.error.message).toMatch(/no longer exists at the partner/);
      expect(await itemRow(item.id)).toMatchObject({ state: "failed", tokenCiphertext: null });
    });

    it("workflow missing → failed workflow_not_found, the token kept: imported again with the default workflow", async () => {
      const item = await newItem();
      const res = await importVia(item.id, { workflowId: randomUUID() });
      expect(res.status, res.text).toBe(422);
      expect(res.body.error.code).toBe("workflow_not_found");
      expect(res.body.error.message).toMatch(/choose another workflow/);
      expect(res.body.error.message).toMatch(/still unredeemed/);
      const row = await itemRow(item.id);
      expect(row.state).toBe("failed");
      expect(open(row.tokenCiphertext!, row.id)).toBe(item.token);
      const [failed] = await importsOf(item.id);
      expect(failed).toMatchObject({ state: "failed", failureCode: "workflow_not_found", retryable: true });

      const retry = await importVia(item.id);
      expect(retry.status, retry.text).toBe(201);
      expect(retry.body).toMatchObject({ id: failed!.id, state: "imported", attempts: 2, retryable: false });
      expect(await importsOf(item.id)).toHaveLength(1);
      expect((await auditsOf(failed!.id)).map((a) => a.action)).toEqual(["import.failed", "import.created"]);
    });

    it("no workflow configured for the kind → 422 workflow_not_found saying where to set one; nothing written, Didit not asked", async () => {
      const item = await newItem();
      await x.w.t.db
        .update(connectedApplications)
        .set({ defaultWorkflowUser: null })
        .where(eq(connectedApplications.id, x.w.bankRow));
      x.proxy.reset();
      try {
        const res = await importVia(item.id);
        expect(res.status).toBe(422);
        expect(res.body.error.code).toBe("workflow_not_found");
        expect(res.body.error.message).toMatch(/default KYC import workflow on \/applications/);
      } finally {
        await x.w.t.db
          .update(connectedApplications)
          .set({ defaultWorkflowUser: x.w.bank.workflows.user })
          .where(eq(connectedApplications.id, x.w.bankRow));
      }
      expect(x.importCalls().received).toBe(0);
      expect(await importsOf(item.id)).toHaveLength(0);
      expect((await itemRow(item.id)).state).toBe("pending");
    });

    it("our own policy refuses first: a suspended partner → 409 partner_suspended, nothing written", async () => {
      const item = await newItem();
      await x.w.t.db
        .update(partners)
        .set({ status: "suspended", suspendedReason: "under review" })
        .where(eq(partners.id, x.sender.id));
      try {
        const res = await importVia(item.id);
        expect(res.status).toBe(409);
        expect(res.body.error.code).toBe("partner_suspended");
      } finally {
        await x.w.t.db
          .update(partners)
          .set({ status: "active", suspendedReason: null })
          .where(eq(partners.id, x.sender.id));
      }
      expect(await importsOf(item.id)).toHaveLength(0);
    });
    it("an agreement not in force (blank reference, no signing date) → 409 partner_agreement_missing, nothing written, Didit not asked", async () => {
      const item = await newItem();
      const [before] = await x.w.t.db.select().from(partners).where(eq(partners.id, x.sender.id));
      for (const blank of [{ agreementReference: null }, { agreementSignedOn: null }]) {
        await x.w.t.db.update(partners).set(blank).where(eq(partners.id, x.sender.id));
        x.proxy.reset();
        try {
          const res = await importVia(item.id);
          expect(res.status, JSON.stringify(blank)).toBe(409);
          expect(res.body.error.code).toBe("partner_agreement_missing");
          expect(res.body.error.message).toMatch(/record the agreement's reference and signing date/);
        } finally {
          await x.w.t.db
            .update(partners)
            .set({
              agreementReference: before!.agreementReference,
              agreementSignedOn: before!.agreementSignedOn,
            })
            .where(eq(partners.id, x.sender.id));
        }
        expect(x.importCalls().received).toBe(0);
      }
      expect(await importsOf(item.id)).toHaveLength(0);
      expect((await itemRow(item.id)).state).toBe("pending");
    });

    it("a workflow id that is not one is refused in words, naming the field in details", async () => {
      const item = await newItem();
      const res = await importVia(item.id, { workflowId: "onboarding" });
      expect(res.status).toBe(422);
      expect(res.body.error.details?.fields?.workflowId?.[0]).toMatch(
        /^This is not a workflow: choose one of the application's workflows/,
      );
      expect(JSON.stringify(res.body.error.details?.fields)).not.toMatch(/uuid/i);
    });
  });

  describe("a lost answer is reconciled by vendor_data, never retried blindly", () => {
    it("the connection drops after Didit imported → imported with the right clone, one Didit import call", async () => {
      const item = await newItem();
      x.proxy.reset();
      x.proxy.fault({ path: /import-shared/ }, { kind: "drop-mid-body" });
      const res = await importVia(item.id);
      expect(res.status, res.text).toBe(201);
      expect(x.importCalls()).toEqual({ received: 1, forwarded: 1 });
      const atDidit = await sandboxSessionsWith(`handoff-${item.id}`);
      expect(atDidit).toHaveLength(1);
      expect(res.body).toMatchObject({
        state: "imported",
        reconciled: true,
        cloneSessionId: atDidit[0]!.session_id,
        sharedFromSession: item.sourceSessionId,
      });
      expect(await itemRow(item.id)).toMatchObject({ state: "imported", tokenCiphertext: null });
    });

    it("Didit imported, then the answer never came (timeout) → imported with that clone", async () => {
      const item = await newItem();
      x.proxy.reset();
      x.proxy.fault({ path: /import-shared/ }, { kind: "hang", forward: true });
      const res = await importVia(item.id);
      expect(res.status, res.text).toBe(201);
      const atDidit = await sandboxSessionsWith(`handoff-${item.id}`);
      expect(res.body).toMatchObject({ reconciled: true, cloneSessionId: atDidit[0]!.session_id });
      expect(x.importCalls()).toEqual({ received: 1, forwarded: 1 });
    });

    it("a hang before Didit processed it → failed with the reason, the token still unredeemed (and it imports later)", async () => {
      const item = await newItem();
      x.proxy.reset();
      x.proxy.fault({ path: /import-shared/ }, { kind: "hang" });
      const res = await importVia(item.id);
      expect(res.status, res.text).toBe(504);
      expect(res.body.error.code).toBe("upstream_timeout");
      expect(res.body.error.message).toMatch(/token is still unredeemed/);
      expect(x.importCalls()).toEqual({ received: 1, forwarded: 0 });
      const [imp] = await importsOf(item.id);
      expect(imp).toMatchObject({ state: "failed", failureCode: "upstream_timeout", retryable: true });
      const row = await itemRow(item.id);
      expect(row.state).toBe("failed");
      expect(row.stateReason).toMatch(/still unredeemed/);
      expect(await sandboxSessionsWith(`handoff-${item.id}`)).toHaveLength(0);

      const retry = await importVia(item.id);
      expect(retry.status, retry.text).toBe(201);
      expect(retry.body).toMatchObject({ id: imp!.id, attempts: 2, reconciled: false });
    });

    it("a crash between Didit's answer and the record → the safety-net job finds the clone", async () => {
      const item = await newItem();
      const real = createDiditClient({
        baseUrl: () => `${x.w.server.origin}/sandbox`,
        limiter: false,
        maxRetries: 0,
      });
      const crashing: DiditClient = {
        ...real,
        importShared: async (caller, input) => {
          await real.importShared(caller, input);
          throw new Error("the process died here");
        },
      };
      const ctx = {
        ...systemContext(x.w.t.db),
        actor: { id: officer.id, email: officer.email, name: "Officer", role: "officer" as const },
      };
      await expect(createImport(ctx, item.id, {}, { didit: crashing })).rejects.toThrow(
        "the process died here",
      );
      const [stuck] = await importsOf(item.id);
      expect(stuck!.state).toBe("importing");
      expect((await itemRow(item.id)).state).toBe("importing");
      // Another click meanwhile is told it is being imported.
      const click = await importVia(item.id);
      expect(click.status).toBe(409);
      expect(click.body.error.message).toMatch(/being imported right now/);

      const ran = await runDueJobs(x.w.t.db, {
        now: new Date(Date.now() + RECONCILE_AFTER_MS + 1000),
        queues: [RECONCILE_QUEUE],
      });
      expect(ran.done).toBeGreaterThanOrEqual(1);
      const [done] = await importsOf(item.id);
      const atDidit = await sandboxSessionsWith(`handoff-${item.id}`);
      expect(done).toMatchObject({ state: "imported", cloneSessionId: atDidit[0]!.session_id });
      expect(done!.reconciledAt).not.toBeNull();
      expect((await itemRow(item.id)).state).toBe("imported");
      const audit = await auditsOf(done!.id);
      expect(audit.map((a) => [a.action, a.actorLabel])).toEqual([["import.created", "system"]]);
    });
    it("a crash before Didit was asked → the safety-net job finds no clone: failed, the token still unredeemed, imported on a retry", async () => {
      const item = await newItem();
      const real = createDiditClient({
        baseUrl: () => `${x.w.server.origin}/sandbox`,
        limiter: false,
        maxRetries: 0,
      });
      const dying: DiditClient = {
        ...real,
        importShared: () => Promise.reject(new Error("the process died before the call")),
      };
      const ctx = {
        ...systemContext(x.w.t.db),
        actor: { id: officer.id, email: officer.email, name: "Officer", role: "officer" as const },
      };
      await expect(createImport(ctx, item.id, {}, { didit: dying })).rejects.toThrow("died before the call");
      await runDueJobs(x.w.t.db, {
        now: new Date(Date.now() + RECONCILE_AFTER_MS + 1000),
        queues: [RECONCILE_QUEUE],
      });
      const [failed] = await importsOf(item.id);
      expect(failed).toMatchObject({ state: "failed", retryable: true, cloneSessionId: null });
      expect(failed!.failureReason).toMatch(/still unredeemed/);
      const row = await itemRow(item.id);
      expect(row.state).toBe("failed");
      expect(open(row.tokenCiphertext!, row.id)).toBe(item.token);
      const retry = await importVia(item.id);
      expect(retry.status, retry.text).toBe(201);
      expect(retry.body).toMatchObject({ id: failed!.id, attempts: 2, state: "imported" });
    });
  });

  describe("against the spec profile of Didit (the published spec's dialect)", () => {
    let spec: { app: TestApp; row: string; sender: Sender };
    beforeAll(async () => {
      const app = await x.w.api.newApp("spec", "Spec Receiver");
      const row = await connectApp(x.w.t.db, app, "Spec Receiver");
      await x.w.t.db
        .update(connectedApplications)
        .set({ defaultWorkflowUser: app.workflows.user, defaultWorkflowBusiness: app.workflows.business })
        .where(eq(connectedApplications.id, row));
      const partner = await addPartner(x.w.t.db, {
        applicationId: row,
        diditApplicationId: x.sender.app.id,
        channel: "push",
        direction: "inbound",
      });
      spec = { app, row, sender: { ...x.sender, ...partner } };
    });

    it("imports, and a second token for the same source (refused by the spec's per-session rule) names our first import", async () => {
      const first = await newItem({ sender: spec.sender, to: spec.app });
      const res = await importVia(first.id);
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject({
        applicationId: spec.row,
        statusAtImport: "In Review",
        state: "imported",
      });

      const second = await newItem({ sender: spec.sender, to: spec.app, sessionId: first.sourceSessionId });
      const again = await importVia(second.id);
      expect(again.status, again.text).toBe(409);
      expect(again.body.error.code).toBe("already_imported");
      expect(again.body.error.message).toContain(res.body.id);
      expect(again.body.error.message).toContain(res.body.cloneSessionId!);
    });

    it("a KYB token, a deleted source and a lost answer, in the spec's dialect", async () => {
      const kyb = await newItem({ sender: spec.sender, to: spec.app, kind: "business" });
      const ok = await importVia(kyb.id);
      expect(ok.status, ok.text).toBe(201);
      expect(ok.body).toMatchObject({ sessionKind: "business", statusAtImport: "In Review" });

      const gone = await newItem({ sender: spec.sender, to: spec.app });
      const del = await x.w.api.call("DELETE", `/sandbox/v3/session/${gone.sourceSessionId}/delete/`, {
        key: x.sender.app.key,
      });
      expect(del.status).toBe(204);
      const refused = await importVia(gone.id);
      expect(refused.status, refused.text).toBe(409);
      expect(refused.body.error.code).toBe("source_deleted");

      const lost = await newItem({ sender: spec.sender, to: spec.app });
      x.proxy.reset();
      x.proxy.fault({ path: /import-shared/ }, { kind: "drop-mid-body" });
      const reconciled = await importVia(lost.id);
      expect(reconciled.status, reconciled.text).toBe(201);
      expect(reconciled.body).toMatchObject({ reconciled: true, sharedFromSession: lost.sourceSessionId });
      expect(x.importCalls().forwarded).toBe(1);
    });
  });

  describe("roles and bad input", () => {
    it("only an officer imports: auditor and admin 403, anonymous 401; nothing written", async () => {
      const item = await newItem();
      for (const user of [auditor, admin]) {
        const res = await importVia(item.id, {}, user);
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe("forbidden");
      }
      const anon = await importRoute.POST(
        await request(`/api/inbox/${item.id}/import`, { method: "POST", body: {} }),
        { params: Promise.resolve({ id: item.id }) },
      );
      expect(anon.status).toBe(401);
      expect(await importsOf(item.id)).toHaveLength(0);
      expect((await itemRow(item.id)).state).toBe("pending");
    });

    it("bad input is a 4xx envelope and writes nothing", async () => {
      const item = await newItem();
      const cases: [unknown, number, string][] = [
        [{ workflowId: "wf_partner_kyc" }, 422, "workflowId"],
        [{ trustReview: "yes" }, 422, "trustReview"],
        [{ vendorData: "" }, 422, "vendorData"],
        [{ vendorData: "x".repeat(501) }, 422, "vendorData"],
        [{ vendorData: "a\nb" }, 422, "vendorData"],
        [{ share_token: item.token }, 422, ""],
      ];
      for (const [body, status, field] of cases) {
        const res = await importVia(item.id, body);
        expect(res.status, JSON.stringify(body)).toBe(status);
        expect(res.body.error.code).toBe("validation_failed");
        if (field) expect(Object.keys(res.body.error.details?.fields ?? {})).toContain(field);
      }
      const notUuid = await importRoute.POST(
        await request(`/api/inbox/not-an-id/import`, { method: "POST", cookie: officerCookie, body: {} }),
        { params: Promise.resolve({ id: "not-an-id" }) },
      );
      expect(notUuid.status).toBe(404);
      const unknown = await importVia(randomUUID());
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe("not_found");
      expect(await importsOf(item.id)).toHaveLength(0);
    });

    it("a rejected item cannot be imported", async () => {
      const item = await newItem();
      const rej = await rejectRoute.POST(
        await request(`/api/inbox/${item.id}/reject`, {
          method: "POST",
          cookie: officerCookie,
          body: { reason: "Not our customer" },
        }),
        { params: Promise.resolve({ id: item.id }) },
      );
      expect(rej.status).toBe(200);
      const res = await importVia(item.id);
      expect(res.status).toBe(409);
      expect(res.body.error.message).toMatch(/rejected/);
      expect(await importsOf(item.id)).toHaveLength(0);
    });

    it("no token ever reaches an answer, a log line, an audit row or a table after import", async () => {
      const everything = answers.join("\n") + logs.text();
      const audits = JSON.stringify(await x.w.t.db.select().from(auditEvents));
      const tables = await databaseText(x.w.t.db);
      for (const token of tokens) {
        expect(everything).not.toContain(token);
        expect(audits).not.toContain(token);
        expect(tables).not.toContain(token);
      }
    });
  });
});
