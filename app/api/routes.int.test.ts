import { randomBytes } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { can, ROLES, type Permission, type Role } from "@/lib/rbac";
import { jobs, recallNotices, recalls, shares } from "@/lib/server/db/schema";
import { HTTP_METHODS } from "@/lib/server/http/methods";
import { testDriver, type TestDatabase } from "@/test/database";
import { insertUser, request, sessionCookie, type TestUser } from "@/test/session";
import { inboxKit, type InboxKit, type Sender } from "@/lib/server/services/receiving/inbox.test-kit";
import { requestErasure } from "@/lib/server/services/compliance/erasure";
import { createImport } from "@/lib/server/services/receiving/import";
import { receivedItem } from "@/lib/server/services/receiving/import.test-kit";
import { decideImport, encodeMediaRef } from "@/lib/server/services/reviews";
import { revealShare } from "@/lib/server/services/sharing";
import { contextOf } from "@/lib/server/services/reviews/reviews.test-kit";
import { sharingWorld, type SharingWorld } from "@/test/sharing-world";

type Handler = (req: Request, ctx?: { params: Promise<Record<string, unknown>> }) => Promise<Response>;
type RouteModule = Record<string, Handler>;
type Params = Record<string, string>;
type RouteCase = {
  method: string;
  path: string;
  file: string;
  /**
   * A session-mode permission (lib/rbac.ts), "public" (anyone), or "signed": the partner and
   * didit-webhook modes, where no session counts and only the sender's signature does.
   */
  permission: Permission | "public" | "signed";
  /** Fixtures may be made per call (a share revoked or revealed is used up). */
  params?: () => Params | Promise<Params>;
  body?: (user: TestUser) => unknown;
  /** "signed" routes: a request signed as its real sender signs it, which must answer < 300. */
  signed?: (params: Params) => Request | Promise<Request>;
};
type ErrorBody = {
  error: { code: string; message: string; requestId: string; details?: { fields: Record<string, string[]> } };
};

let w: SharingWorld;
let t: TestDatabase;
let inbox: InboxKit;
/** A partner that pushes tokens to Northwind Bank's inbox. */
let sender: Sender;
/** A partner whose clones need four eyes. */
let fourEyes: Sender;
const users = {} as Record<Role, TestUser>;
let target: TestUser;
/** Long-lived fixtures (made in beforeAll) for the routes that read or change without using up. */
const fx = { share: "", session: "", partner: "", rotated: "", inboxItem: "", review: "" };

/** The front image of an imported KYC clone (the ref our review page would link). */
const FRONT_IMAGE = encodeMediaRef(["id_verifications", 0, "front_image"]);

/**
 * A clone In Review: a real token of `from` received and imported by the world's officer with
 * Northwind Bank's KYC workflow (trust_review off). Answers the import id.
 */
async function inReview(from: Sender = sender): Promise<string> {
  const item = await receivedItem(w, inbox, from);
  const dto = await createImport(contextOf(t.db, w.officer), item.id, { workflowId: w.bank.workflows.user });
  if (dto.state !== "imported") throw new Error(`the import failed: ${dto.failureReason}`);
  return dto.id;
}

/** A four-eyes clone In Review with an open proposal by the world's officer (not a matrix user). */
async function proposed(): Promise<string> {
  const id = await inReview(fourEyes);
  const { decision } = await decideImport(contextOf(t.db, w.officer), id, {
    status: "Approved",
    comment: undefined,
  });
  if (decision.state !== "proposed") throw new Error(`expected a proposal, got ${decision.state}`);
  return id;
}

/** A dead-lettered job (a queue with no handler, so the worker never runs it): answers its id. */
async function deadJob(): Promise<string> {
  const now = new Date();
  const [row] = await t.db
    .insert(jobs)
    .values({
      queue: "test.routes",
      payload: { n: randomBytes(4).toString("hex") },
      state: "dead",
      runAt: now,
      attempts: 3,
      maxAttempts: 3,
      backoff: { kind: "exponential", baseMs: 1000, maxMs: 60_000 },
      lastError: "boom",
      createdAt: now,
      updatedAt: now,
      finishedAt: now,
    })
    .returning({ id: jobs.id });
  return row!.id;
}

/** A recall of the fixture share with one notice (a fresh recall per call): answers both ids. */
async function recallNotice(channel: "push" | "task", state: "failed" | "open") {
  const [share] = await t.db.select().from(shares).where(eq(shares.id, fx.share));
  const now = new Date();
  const [recall] = await t.db
    .insert(recalls)
    .values({
      applicationId: share!.applicationId,
      sessionId: share!.sessionId,
      trigger: "declined",
      fromStatus: "Approved",
      toStatus: "Declined",
      reason: "The source verification was declined after it was shared.",
      source: "webhook",
      shareCount: 1,
      noticeCount: 1,
      raisedAt: now,
    })
    .returning({ id: recalls.id });
  const [notice] = await t.db
    .insert(recallNotices)
    .values({
      recallId: recall!.id,
      shareId: share!.id,
      partnerId: share!.partnerId,
      channel,
      state,
      attempts: state === "failed" ? 1 : 0,
      createdAt: now,
      updatedAt: now,
    })
    .returning({ id: recallNotices.id });
  return { recallId: recall!.id, noticeId: notice!.id };
}

/** A finished erasure of a fresh session (our copies only): answers the request id. */
async function erasureRequestId(): Promise<string> {
  const sessionId = await w.newSession();
  const dto = await requestErasure(contextOf(t.db, users.admin), {
    sessionId,
    reason: "Data subject request DSR-MATRIX",
    deleteAtDidit: false,
    confirm: sessionId,
  });
  return dto.id;
}

/** Every console API route with the permission it must enforce. */
const ROUTES: RouteCase[] = [
  { method: "GET", path: "/api/recalls", file: "app/api/recalls/route.ts", permission: "shares.read" },
  {
    method: "GET",
    path: "/api/recalls/:id",
    file: "app/api/recalls/[id]/route.ts",
    permission: "shares.read",
    params: async () => ({ id: (await recallNotice("task", "open")).recallId }),
  },
  {
    method: "POST",
    path: "/api/recalls/notices/:id/done",
    file: "app/api/recalls/notices/[id]/done/route.ts",
    permission: "recalls.manage",
    params: async () => ({ id: (await recallNotice("task", "open")).noticeId }),
    body: () => ({ note: "Phoned their compliance desk." }),
  },
  {
    method: "POST",
    path: "/api/recalls/notices/:id/retry",
    file: "app/api/recalls/notices/[id]/retry/route.ts",
    permission: "recalls.manage",
    params: async () => ({ id: (await recallNotice("push", "failed")).noticeId }),
    body: () => ({}),
  },
  { method: "GET", path: "/api/health", file: "app/api/health/route.ts", permission: "public" },
  {
    method: "GET",
    path: "/api/evidence/public-key",
    file: "app/api/evidence/public-key/route.ts",
    permission: "public",
  },
  {
    method: "GET",
    path: "/api/evidence/:sessionId",
    file: "app/api/evidence/[sessionId]/route.ts",
    permission: "evidence.export",
    params: () => ({ sessionId: fx.session }),
  },
  { method: "GET", path: "/api/lineage?q=1", file: "app/api/lineage/route.ts", permission: "lineage.read" },
  { method: "GET", path: "/api/analytics", file: "app/api/analytics/route.ts", permission: "analytics.view" },
  {
    method: "GET",
    path: "/api/analytics/export?format=csv",
    file: "app/api/analytics/export/route.ts",
    permission: "analytics.view",
  },
  {
    method: "GET",
    path: "/api/lineage/:sessionId",
    file: "app/api/lineage/[sessionId]/route.ts",
    permission: "lineage.read",
    params: () => ({ sessionId: fx.session }),
  },
  { method: "GET", path: "/api/users", file: "app/api/users/route.ts", permission: "users.manage" },
  {
    method: "POST",
    path: "/api/users",
    file: "app/api/users/route.ts",
    permission: "users.manage",
    body: () => ({
      email: `matrix-${Math.random().toString(36).slice(2)}@test.local`,
      name: "Matrix",
      role: "auditor",
    }),
  },
  {
    method: "PATCH",
    path: "/api/users/:id",
    file: "app/api/users/[id]/route.ts",
    permission: "users.manage",
    params: () => ({ id: target.id }),
    body: () => ({ role: "officer" }),
  },
  {
    method: "POST",
    path: "/api/users/:id/sessions/revoke",
    file: "app/api/users/[id]/sessions/revoke/route.ts",
    permission: "users.manage",
    params: () => ({ id: target.id }),
    body: () => ({}),
  },
  {
    method: "POST",
    path: "/api/account/password",
    file: "app/api/account/password/route.ts",
    permission: "dashboard.view",
    body: (user) => ({ currentPassword: user.password, newPassword: `${user.password} renewed` }),
  },
  { method: "GET", path: "/api/dashboard", file: "app/api/dashboard/route.ts", permission: "dashboard.view" },
  {
    method: "POST",
    path: "/api/jobs/:id/retry",
    file: "app/api/jobs/[id]/retry/route.ts",
    permission: "applications.manage",
    params: async () => ({ id: await deadJob() }),
    body: () => ({}),
  },
  { method: "GET", path: "/api/audit", file: "app/api/audit/route.ts", permission: "audit.read" },
  {
    method: "GET",
    path: "/api/audit/verify",
    file: "app/api/audit/verify/route.ts",
    permission: "audit.verify",
  },
  {
    method: "POST",
    path: "/api/audit/verify",
    file: "app/api/audit/verify/route.ts",
    permission: "audit.verify",
    body: () => ({ mode: "incremental" }),
  },
  {
    method: "GET",
    path: "/api/audit/export?format=csv&action=auth.",
    file: "app/api/audit/export/route.ts",
    permission: "audit.read",
  },

  // --- Connected applications (Didit calls go to the sandbox over HTTP) ---
  {
    method: "GET",
    path: "/api/applications",
    file: "app/api/applications/route.ts",
    permission: "applications.read",
  },
  {
    method: "POST",
    path: "/api/applications",
    file: "app/api/applications/route.ts",
    permission: "applications.manage",
    // A new sandbox application each call: its key is tested and its webhook registered.
    body: async () => {
      const app = await w.newSandboxApp();
      return { name: "Matrix", diditApplicationId: app.id, environment: "sandbox", apiKey: app.key };
    },
  },
  {
    method: "GET",
    path: "/api/applications/:id",
    file: "app/api/applications/[id]/route.ts",
    permission: "applications.read",
    params: () => ({ id: w.bankRow }),
  },
  {
    method: "PATCH",
    path: "/api/applications/:id",
    file: "app/api/applications/[id]/route.ts",
    permission: "applications.manage",
    params: () => ({ id: w.bankRow }),
    body: () => ({ name: "Northwind Bank" }),
  },
  {
    method: "DELETE",
    path: "/api/applications/:id",
    file: "app/api/applications/[id]/route.ts",
    permission: "applications.manage",
    params: async () => ({ id: await w.newConnectedApp() }),
    body: () => ({}),
  },
  {
    method: "POST",
    path: "/api/applications/:id/sync",
    file: "app/api/applications/[id]/sync/route.ts",
    permission: "applications.manage",
    params: () => ({ id: w.bankRow }),
    body: () => ({}),
  },
  {
    method: "POST",
    path: "/api/applications/:id/webhook",
    file: "app/api/applications/[id]/webhook/route.ts",
    permission: "applications.manage",
    params: () => ({ id: w.bankRow }),
    body: () => ({}),
  },
  {
    method: "PUT",
    path: "/api/applications/:id/retention",
    file: "app/api/applications/[id]/retention/route.ts",
    permission: "applications.manage",
    params: () => ({ id: w.bankRow }),
    body: () => ({ days: 3650 }),
  },
  {
    method: "POST",
    path: "/api/applications/:id/retention/run",
    file: "app/api/applications/[id]/retention/run/route.ts",
    permission: "applications.manage",
    params: () => ({ id: w.bankRow }),
    body: () => ({}),
  },

  // --- Erasure (a fresh session each call: one is erased once) ---
  { method: "GET", path: "/api/erasure", file: "app/api/erasure/route.ts", permission: "erasure.request" },
  {
    method: "POST",
    path: "/api/erasure",
    file: "app/api/erasure/route.ts",
    permission: "erasure.request",
    body: async () => {
      const sessionId = await w.newSession();
      return {
        sessionId,
        reason: "Data subject request DSR-MATRIX",
        deleteAtDidit: true,
        confirm: sessionId,
      };
    },
  },
  {
    method: "GET",
    path: "/api/erasure/:id",
    file: "app/api/erasure/[id]/route.ts",
    permission: "erasure.request",
    params: async () => ({ id: await erasureRequestId() }),
  },

  // --- Session mirror and picker (the decision is read from the sandbox) ---
  { method: "GET", path: "/api/sessions", file: "app/api/sessions/route.ts", permission: "sessions.read" },
  {
    method: "GET",
    path: "/api/sessions/:id",
    file: "app/api/sessions/[id]/route.ts",
    permission: "sessions.read",
    params: () => ({ id: fx.session }),
  },

  // --- Partner directory ---
  { method: "GET", path: "/api/partners", file: "app/api/partners/route.ts", permission: "partners.read" },
  {
    method: "POST",
    path: "/api/partners",
    file: "app/api/partners/route.ts",
    permission: "partners.manage",
    body: () => ({
      name: `Matrix ${Math.random().toString(36).slice(2, 8)}`,
      diditApplicationId: crypto.randomUUID(),
      applicationId: w.bankRow,
      direction: "outbound",
      allowedKinds: ["user"],
    }),
  },
  {
    method: "GET",
    path: "/api/partners/:id",
    file: "app/api/partners/[id]/route.ts",
    permission: "partners.read",
    params: () => ({ id: fx.partner }),
  },
  {
    method: "PATCH",
    path: "/api/partners/:id",
    file: "app/api/partners/[id]/route.ts",
    permission: "partners.manage",
    params: () => ({ id: fx.partner }),
    body: () => ({ notes: "Reviewed by the permission matrix" }),
  },
  {
    method: "POST",
    path: "/api/partners/:id/secret",
    file: "app/api/partners/[id]/secret/route.ts",
    permission: "partners.manage",
    params: () => ({ id: fx.rotated }),
    // Adopting the partner's own whsec_ secret (a remote Handoff console issued it).
    body: () => ({ overlapHours: 24, secret: `whsec_${randomBytes(32).toString("base64")}` }),
  },

  // --- Shares (each share create is a Didit share of a fresh finished session) ---
  { method: "GET", path: "/api/shares", file: "app/api/shares/route.ts", permission: "shares.read" },
  {
    method: "POST",
    path: "/api/shares",
    file: "app/api/shares/route.ts",
    permission: "shares.create",
    body: async () => ({ sessionId: await w.newSession(), partnerId: w.pickup.id, ttlSeconds: 900 }),
  },
  {
    method: "GET",
    path: "/api/shares/:id",
    file: "app/api/shares/[id]/route.ts",
    permission: "shares.read",
    params: () => ({ id: fx.share }),
  },
  {
    method: "POST",
    path: "/api/shares/:id/revoke",
    file: "app/api/shares/[id]/revoke/route.ts",
    permission: "shares.create",
    params: async () => ({ id: await w.newShare() }),
    body: () => ({ reason: "Sent to the wrong partner" }),
  },
  {
    method: "POST",
    path: "/api/shares/:id/reveal",
    file: "app/api/shares/[id]/reveal/route.ts",
    permission: "shares.create",
    params: async () => ({ id: await w.newShare(w.manual) }),
    body: () => ({}),
  },
  {
    method: "POST",
    path: "/api/shares/:id/withdraw",
    file: "app/api/shares/[id]/withdraw/route.ts",
    permission: "shares.create",
    // A delivered share (a manual one, revealed), used up by each withdrawal.
    params: async () => {
      const id = await w.newShare(w.manual);
      await revealShare(contextOf(t.db, w.officer), id);
      return { id };
    },
    body: () => ({ reason: "Shared with the wrong brand" }),
  },

  // --- Partner API (Standard Webhooks, handoff-partner-id) and Didit's webhooks ---
  {
    method: "GET",
    path: "/api/partner/v1/openapi.json",
    file: "app/api/partner/v1/openapi.json/route.ts",
    permission: "public",
  },
  {
    method: "GET",
    path: "/api/partner/v1/shares",
    file: "app/api/partner/v1/shares/route.ts",
    permission: "signed",
    signed: () => w.partnerRequest("/api/partner/v1/shares", {}),
  },
  {
    method: "POST",
    path: "/api/partner/v1/shares/:id/pickup",
    file: "app/api/partner/v1/shares/[id]/pickup/route.ts",
    permission: "signed",
    params: async () => ({ id: await w.newShare() }),
    signed: ({ id }) => w.partnerRequest(`/api/partner/v1/shares/${id}/pickup`, { method: "POST" }),
  },
  {
    method: "POST",
    path: "/api/partner/v1/receipts",
    file: "app/api/partner/v1/receipts/route.ts",
    permission: "signed",
    body: () => ({ share_id: fx.share, status: "rejected", reason: "Our policy does not accept it" }),
    signed: () =>
      w.partnerRequest("/api/partner/v1/receipts", {
        method: "POST",
        body: { share_id: fx.share, status: "rejected", reason: "Our policy does not accept it" },
      }),
  },
  {
    method: "POST",
    path: "/api/partner/v1/inbox/:partnerId",
    file: "app/api/partner/v1/inbox/[partnerId]/route.ts",
    permission: "signed",
    params: () => ({ partnerId: sender.id }),
    body: () => ({ type: "handoff.share.v1" }),
    signed: async ({ partnerId }) =>
      inbox.push({ id: partnerId!, secret: sender.secret }, inbox.delivery(await inbox.forge(sender.app.id))),
  },

  // --- The partner inbox (we are Service Y) ---
  { method: "GET", path: "/api/inbox", file: "app/api/inbox/route.ts", permission: "inbox.read" },
  {
    method: "POST",
    path: "/api/inbox",
    file: "app/api/inbox/route.ts",
    permission: "imports.create",
    body: async () => ({ token: await inbox.forge(sender.app.id) }),
  },
  {
    method: "GET",
    path: "/api/inbox/:id",
    file: "app/api/inbox/[id]/route.ts",
    permission: "inbox.read",
    params: () => ({ id: fx.inboxItem }),
  },
  {
    method: "POST",
    path: "/api/inbox/:id/reject",
    file: "app/api/inbox/[id]/reject/route.ts",
    permission: "imports.create",
    params: async () => ({ id: await inbox.pending(sender) }),
    body: () => ({ reason: "The customer is already onboarded" }),
  },
  {
    method: "POST",
    path: "/api/inbox/:id/import",
    file: "app/api/inbox/[id]/import/route.ts",
    permission: "imports.create",
    // A real token each call (an import uses its item up); Northwind Bank's KYC workflow named.
    params: async () => ({ id: (await receivedItem(w, inbox, sender)).id }),
    body: () => ({ workflowId: w.bank.workflows.user }),
  },

  // --- The review queue and decisions (imports are read with inbox.read) ---
  { method: "GET", path: "/api/imports", file: "app/api/imports/route.ts", permission: "inbox.read" },
  {
    method: "GET",
    path: "/api/imports/reviewers",
    file: "app/api/imports/reviewers/route.ts",
    permission: "reviews.decide",
  },
  {
    method: "GET",
    path: "/api/imports/:id",
    file: "app/api/imports/[id]/route.ts",
    permission: "inbox.read",
    params: () => ({ id: fx.review }),
  },
  {
    method: "GET",
    path: "/api/imports/:id/media/:ref",
    file: "app/api/imports/[id]/media/[ref]/route.ts",
    permission: "inbox.read",
    params: () => ({ id: fx.review, ref: FRONT_IMAGE }),
  },
  {
    method: "POST",
    path: "/api/imports/:id/assign",
    file: "app/api/imports/[id]/assign/route.ts",
    permission: "reviews.decide",
    params: () => ({ id: fx.review }),
    body: () => ({ assigneeId: "me" }),
  },
  {
    method: "POST",
    path: "/api/imports/:id/decision",
    file: "app/api/imports/[id]/decision/route.ts",
    permission: "reviews.decide",
    // A decision uses its clone up (sent to Didit): a fresh clone In Review each call.
    params: async () => ({ id: await inReview() }),
    body: () => ({ status: "Declined", comment: "The document photo is unreadable" }),
  },
  {
    method: "POST",
    path: "/api/imports/:id/decision/reject",
    file: "app/api/imports/[id]/decision/reject/route.ts",
    permission: "reviews.decide",
    params: async () => ({ id: await proposed() }),
    body: () => ({ comment: "The address does not match the document" }),
  },
  {
    method: "POST",
    path: "/api/webhooks/didit/:applicationId",
    file: "app/api/webhooks/didit/[applicationId]/route.ts",
    permission: "signed",
    params: () => ({ applicationId: w.bankRow }),
    body: () => ({ event_id: crypto.randomUUID(), timestamp: Math.floor(Date.now() / 1000) }),
    signed: ({ applicationId }) => w.diditWebhookRequest(applicationId),
  },
];
/** Not ours to guard: Auth.js's own endpoints and the JSON 404 catch-all (both still answer every method). */
const EXEMPT = ["app/api/auth/[...nextauth]/route.ts", "app/api/[...path]/route.ts"];

function routeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return routeFiles(full);
    return name === "route.ts" ? [path.relative(process.cwd(), full)] : [];
  });
}

const load = (file: string) => import(/* @vite-ignore */ path.resolve(file)) as Promise<RouteModule>;

const urlOf = (route: RouteCase, params: Params) =>
  route.path.replace(/:(\w+)/g, (_, k: string) => params[k] ?? "");

/** The call with its fixtures made: what `send` then changes is the request's doing alone. */
async function prepare(route: RouteCase, user: TestUser | null): Promise<() => Promise<Response>> {
  const handler = (await load(route.file))[route.method]!;
  const params = (await route.params?.()) ?? {};
  const req = await request(urlOf(route, params), {
    method: route.method,
    user,
    body: await route.body?.(user ?? target),
  });
  return () => handler(req, { params: Promise.resolve(params) });
}

async function call(route: RouteCase, user: TestUser | null): Promise<Response> {
  return (await prepare(route, user))();
}

/** Every table's rows, as one digest per table (the database is small here). */
async function snapshot(): Promise<Record<string, string>> {
  const rowsOf = <T>(r: unknown) => (Array.isArray(r) ? r : (r as { rows: T[] }).rows) as T[];
  const tables = rowsOf<{ name: string }>(
    await t.db.execute(sql`
      select table_schema || '.' || table_name as name from information_schema.tables
      where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')
      order by 1`),
  );
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const [schema, table] = name.split(".");
    const [row] = rowsOf<{ h: string | null; n: string | number }>(
      await t.db.execute(
        sql.raw(
          `select md5(string_agg(x::text, '|' order by x::text)) as h, count(*) as n from "${schema}"."${table}" x`,
        ),
      ),
    );
    out[name] = `${row?.n}:${row?.h ?? ""}`;
  }
  return out;
}

/** A signed route called as its real sender calls it. */
async function callSigned(route: RouteCase): Promise<Response> {
  const handler = (await load(route.file))[route.method]!;
  const params = (await route.params?.()) ?? {};
  return handler(await route.signed!(params), { params: Promise.resolve(params) });
}

/** A request built by hand, for the headers `request()` does not set. */
async function raw(
  url: string,
  init: { method?: string; user?: TestUser; headers?: Record<string, string>; body?: BodyInit },
): Promise<Request> {
  const headers = new Headers({ "user-agent": "vitest", ...init.headers });
  if (init.user) headers.set("cookie", await sessionCookie(init.user));
  return new Request(new URL(url, "http://handoff.test"), {
    method: init.method ?? "GET",
    headers,
    body: init.body,
  });
}

async function errorOf(res: Response): Promise<ErrorBody["error"]> {
  return ((await res.json()) as ErrorBody).error;
}

async function userCount(): Promise<number> {
  const { GET } = await load("app/api/users/route.ts");
  const res = await GET!(await request("/api/users", { user: users.admin }));
  return ((await res.json()) as { items: unknown[] }).items.length;
}

beforeAll(async () => {
  w = await sharingWorld();
  t = w.t;
  for (const role of ROLES) users[role] = await insertUser(t.db, role);
  target = await insertUser(t.db, "auditor");
  fx.session = await w.newSession();
  fx.share = await w.newShare();
  fx.partner = (await w.newPartner("manual")).id;
  fx.rotated = (await w.newPartner("pickup")).id;
  inbox = inboxKit(w);
  sender = await inbox.newSender();
  fourEyes = await inbox.newSender({ requireFourEyes: true });
  fx.inboxItem = await inbox.pending(sender);
  fx.review = await inReview();
});
afterAll(() => w?.close());

describe(`API permission matrix (${testDriver()})`, () => {
  it("covers every declared method of every API route file", async () => {
    const declared: string[] = [];
    for (const file of routeFiles("app/api").filter((f) => !EXEMPT.includes(f))) {
      const res = await (await load(file)).OPTIONS!(await request("/"));
      expect(res.status, file).toBe(204);
      for (const m of res.headers.get("allow")!.split(", ")) {
        if (m !== "HEAD" && m !== "OPTIONS") declared.push(`${m} ${file}`);
      }
    }
    expect(declared.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.file}`).sort());
  });

  it("every signed route has a signed call, and only those", () => {
    for (const route of ROUTES) expect(!!route.signed, route.path).toBe(route.permission === "signed");
  });

  for (const route of ROUTES) {
    const { permission } = route;
    if (permission === "public") {
      it(`${route.method} ${route.path} answers without a session`, async () => {
        const res = await call(route, null);
        expect(res.status, await res.clone().text()).toBe(200);
      });
      continue;
    }
    if (permission === "signed") {
      it(`${route.method} ${route.path}: unsigned → 401 invalid_signature with the envelope, also with a session`, async () => {
        for (const user of [null, users.admin, users.officer]) {
          const res = await call(route, user);
          expect(res.status).toBe(401);
          const error = await errorOf(res);
          expect(error.code).toBe("invalid_signature");
          expect(error.message.length).toBeGreaterThan(10);
          expect(error.requestId).toBe(res.headers.get("x-request-id"));
        }
      });
      it(`${route.method} ${route.path}: signed by its real sender → < 300`, async () => {
        const res = await callSigned(route);
        expect(res.status, await res.clone().text()).toBeLessThan(300);
      });
      continue;
    }
    it(`${route.method} ${route.path}: anonymous → 401 with the error envelope`, async () => {
      const res = await call(route, null);
      expect(res.status).toBe(401);
      const error = await errorOf(res);
      expect(error.code).toBe("unauthenticated");
      expect(error.requestId).toBe(res.headers.get("x-request-id"));
    });
    for (const role of ROLES) {
      const allowed = can(role, permission);
      it(`${route.method} ${route.path}: ${role} → ${allowed ? "allowed" : "403, nothing changed"}`, async () => {
        const send = await prepare(route, users[role]);
        if (allowed) {
          const res = await send();
          expect([401, 403]).not.toContain(res.status);
          expect(res.status, await res.clone().text()).toBeLessThan(300);
        } else {
          const before = await snapshot();
          expect(Object.keys(before).length).toBeGreaterThan(20);
          const res = await send();
          expect(res.status).toBe(403);
          expect((await errorOf(res)).code).toBe("forbidden");
          expect(await snapshot()).toEqual(before);
        }
      });
    }
  }
});

describe(`Methods (${testDriver()})`, () => {
  it("every API route file exports all seven methods, so Next never answers one itself", async () => {
    for (const file of routeFiles("app/api")) {
      const mod = await load(file);
      for (const method of HTTP_METHODS) expect(typeof mod[method], `${method} ${file}`).toBe("function");
    }
  });

  it("a method a route does not declare answers the JSON 405 with Allow, on every route file", async () => {
    let checked = 0;
    for (const file of routeFiles("app/api").filter((f) => f !== "app/api/[...path]/route.ts")) {
      const mod = await load(file);
      const allow = (await mod.OPTIONS!(await request("/"))).headers.get("allow")!.split(", ");
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"].filter((m) => !allow.includes(m))) {
        const res = await mod[method]!(await request("/api/x", { method, user: users.admin }));
        expect(res.status, `${method} ${file}`).toBe(405);
        expect(res.headers.get("allow")).toBe(allow.join(", "));
        const error = await errorOf(res);
        expect(error.code).toBe("method_not_allowed");
        expect(error.requestId).toBe(res.headers.get("x-request-id"));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it("DELETE /api/health and PUT /api/users are 405 with Allow", async () => {
    const health = await load("app/api/health/route.ts");
    const del = await health.DELETE!(await request("/api/health", { method: "DELETE" }));
    expect(del.status).toBe(405);
    expect(del.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
    const usersRoute = await load("app/api/users/route.ts");
    const put = await usersRoute.PUT!(
      await request("/api/users", { method: "PUT", user: users.admin, body: {} }),
    );
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, HEAD, POST, OPTIONS");
  });

  it("HEAD answers GET's status and headers without a body", async () => {
    const health = await load("app/api/health/route.ts");
    const res = await health.HEAD!(await request("/api/health", { method: "HEAD" }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(await res.text()).toBe("");
    const denied = await (
      await load("app/api/users/route.ts")
    ).HEAD!(await request("/api/users", { method: "HEAD" }));
    expect(denied.status).toBe(401);
  });

  it("answers unknown /api paths with a JSON 404 for every method", async () => {
    const mod = await load("app/api/[...path]/route.ts");
    for (const method of HTTP_METHODS) {
      const res = await mod[method]!(await request("/api/definitely-not-here", { method }));
      expect(res.status, method).toBe(404);
      if (method !== "HEAD") expect((await errorOf(res)).code).toBe("not_found");
    }
  });
});

describe(`CSRF defence (${testDriver()})`, () => {
  const newAdmin = () =>
    JSON.stringify({
      email: `csrf-${Math.random().toString(36).slice(2)}@test.local`,
      name: "Mallory",
      role: "admin",
    });
  const usersPost = async (req: Request) => (await load("app/api/users/route.ts")).POST!(req);

  it("refuses the reported attack: a cross-site text/plain POST /api/users with the admin's cookie creates nothing", async () => {
    const before = await userCount();
    const res = await usersPost(
      await raw("/api/users", {
        method: "POST",
        user: users.admin,
        headers: {
          origin: "https://evil.example",
          "sec-fetch-site": "cross-site",
          "content-type": "text/plain",
        },
        body: newAdmin(),
      }),
    );
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe("cross_origin_refused");
    expect(await userCount()).toBe(before);
  });

  it("refuses a foreign Origin, Origin: null and Sec-Fetch-Site: cross-site even with a JSON body", async () => {
    const before = await userCount();
    const variants: Record<string, string>[] = [
      { origin: "https://evil.example" },
      { origin: "http://handoff.test.evil.example" },
      { origin: "https://handoff.test" }, // same host, other scheme
      { origin: "null" },
      { "sec-fetch-site": "cross-site" },
    ];
    for (const headers of variants) {
      const res = await usersPost(
        await raw("/api/users", {
          method: "POST",
          user: users.admin,
          headers: { ...headers, "content-type": "application/json" },
          body: newAdmin(),
        }),
      );
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect((await errorOf(res)).code).toBe("cross_origin_refused");
    }
    expect(await userCount()).toBe(before);
  });

  it("refuses a same-origin body that is not declared application/json with 415", async () => {
    const before = await userCount();
    for (const type of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/json; charset=latin1",
      null,
    ]) {
      const res = await usersPost(
        await raw("/api/users", {
          method: "POST",
          user: users.admin,
          headers: { origin: "http://handoff.test", ...(type ? { "content-type": type } : {}) },
          body: newAdmin(),
        }),
      );
      expect(res.status, String(type)).toBe(415);
      expect((await errorOf(res)).code).toBe("unsupported_media_type");
    }
    expect(await userCount()).toBe(before);
  });

  it("accepts our own origin, also as a proxy forwards it, with application/json; charset=utf-8", async () => {
    const ok = await usersPost(
      await raw("/api/users", {
        method: "POST",
        user: users.admin,
        headers: {
          origin: "http://handoff.test",
          "sec-fetch-site": "same-origin",
          "content-type": "application/json; charset=utf-8",
        },
        body: newAdmin(),
      }),
    );
    expect(ok.status).toBe(201);
    const proxied = await usersPost(
      new Request("http://127.0.0.1:3000/api/users", {
        method: "POST",
        headers: {
          cookie: await sessionCookie(users.admin),
          host: "127.0.0.1:3000",
          "x-forwarded-host": "console.example.org",
          "x-forwarded-proto": "https",
          origin: "https://console.example.org",
          "content-type": "application/json",
        },
        body: newAdmin(),
      }),
    );
    expect(proxied.status).toBe(201);
    const noOrigin = await usersPost(
      await raw("/api/users", {
        method: "POST",
        user: users.admin,
        headers: { "content-type": "application/json" },
        body: newAdmin(),
      }),
    );
    expect(noOrigin.status).toBe(201); // curl and scripts send no Origin
  });

  it("a body-less state change still needs Content-Type: application/json", async () => {
    const revoke = (await load("app/api/users/[id]/sessions/revoke/route.ts")).POST!;
    const params = { params: Promise.resolve({ id: target.id }) };
    const bare = await revoke(
      await raw(`/api/users/${target.id}/sessions/revoke`, { method: "POST", user: users.admin }),
      params,
    );
    expect(bare.status).toBe(415);
    const json = await revoke(
      await raw(`/api/users/${target.id}/sessions/revoke`, {
        method: "POST",
        user: users.admin,
        headers: { "content-type": "application/json" },
        body: "{}",
      }),
      params,
    );
    expect(json.status).toBe(200);
  });

  it("reads are not refused for their Origin (no state changes)", async () => {
    const { GET: list } = await load("app/api/users/route.ts");
    const res = await list!(
      await raw("/api/users", {
        method: "GET",
        user: users.admin,
        headers: { origin: "https://evil.example" },
      }),
    );
    expect(res.status).toBe(200);
  });
});

describe(`Pending one-time password (${testDriver()})`, () => {
  it("a user who must change their password gets 403 password_change_required except on the change route", async () => {
    const admin = await insertUser(t.db, "admin", { mustChangePassword: true });
    const list = await (
      await load("app/api/users/route.ts")
    ).GET!(await request("/api/users", { user: admin }));
    expect(list.status).toBe(403);
    const error = await errorOf(list);
    expect(error).toMatchObject({
      code: "password_change_required",
      message: "Change your one-time password first.",
    });
    const change = await (
      await load("app/api/account/password/route.ts")
    ).POST!(
      await request("/api/account/password", {
        method: "POST",
        user: admin,
        body: { currentPassword: admin.password, newPassword: "a much better passphrase" },
      }),
    );
    expect(change.status).toBeLessThan(300);
    const after = await (
      await load("app/api/users/route.ts")
    ).GET!(await request("/api/users", { user: admin }));
    expect(after.status).toBe(200);
  });
});

describe(`Input parsing (${testDriver()})`, () => {
  const usersPost = async (req: Request) => (await load("app/api/users/route.ts")).POST!(req);

  it("answers malformed JSON and bodies that are not UTF-8 with 400, invalid input with 422 field details, writing nothing", async () => {
    const before = await userCount();
    const malformed = await usersPost(
      await request("/api/users", { method: "POST", user: users.admin, rawBody: "{not json" }),
    );
    expect(malformed.status).toBe(400);
    expect((await errorOf(malformed)).code).toBe("malformed_json");
    const latin1 = await usersPost(
      await raw("/api/users", {
        method: "POST",
        user: users.admin,
        headers: { "content-type": "application/json" },
        body: new Uint8Array([
          ...new TextEncoder().encode('{"name":"'),
          0xe9,
          ...new TextEncoder().encode('"}'),
        ]),
      }),
    );
    expect(latin1.status).toBe(400);
    const invalid = await usersPost(
      await request("/api/users", {
        method: "POST",
        user: users.admin,
        body: { email: "nope", role: "king" },
      }),
    );
    expect(invalid.status).toBe(422);
    const error = await errorOf(invalid);
    expect(error.code).toBe("validation_failed");
    expect(Object.keys(error.details!.fields).sort()).toEqual(["email", "name", "role"]);
    expect(await userCount()).toBe(before);
  });

  it("refuses a NUL byte anywhere in a JSON body with 422 naming the field", async () => {
    const before = await userCount();
    const cases: [unknown, string][] = [
      [{ email: "nul@test.local", name: "Nul\u0000Name", role: "auditor" }, "name"],
      [
        { email: "nul@test.local", name: "Ok", role: "auditor", extra: { deep: ["x", "a\u0000"] } },
        "extra.deep.1",
      ],
      [{ email: "nul@test.local", name: "Ok", role: "auditor", "k\u0000ey": 1 }, "k\u0000ey"],
    ];
    for (const [body, field] of cases) {
      const res = await usersPost(await request("/api/users", { method: "POST", user: users.admin, body }));
      expect(res.status).toBe(422);
      expect(Object.keys((await errorOf(res)).details!.fields)).toEqual([field]);
    }
    expect(await userCount()).toBe(before);
  });

  it("refuses a NUL byte in a query value or path param with 422 naming it", async () => {
    const audit = (await load("app/api/audit/route.ts")).GET!;
    for (const url of ["/api/audit?actor=%00", "/api/audit?action=a%00b", "/api/audit?unknown=%00"]) {
      const res = await audit(await request(url, { user: users.auditor }));
      expect(res.status, url).toBe(422);
      const field = new URL(url, "http://x").searchParams.keys().next().value!;
      expect((await errorOf(res)).details!.fields[field]).toBeDefined();
    }
    const patch = (await load("app/api/users/[id]/route.ts")).PATCH!;
    const res = await patch(
      await request("/api/users/%00", { method: "PATCH", user: users.admin, body: { role: "officer" } }),
      { params: Promise.resolve({ id: "\u0000" }) },
    );
    expect(res.status).toBe(422);
    expect((await errorOf(res)).details!.fields.id).toBeDefined();
  });

  it("answers a path id that is not a uuid with 404", async () => {
    const patch = (await load("app/api/users/[id]/route.ts")).PATCH!;
    const res = await patch(
      await request("/api/users/not-a-uuid", {
        method: "PATCH",
        user: users.admin,
        body: { role: "officer" },
      }),
      { params: Promise.resolve({ id: "not-a-uuid" }) },
    );
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toMatchObject({ code: "not_found", message: "No such user." });
  });

  it("refuses audit dates PostgreSQL cannot hold, and impossible ones, with 422 on the field", async () => {
    const audit = (await load("app/api/audit/route.ts")).GET!;
    for (const [query, field] of [
      ["from=275760-09-13", "from"],
      ["to=+275760-09-13T00:00:00.000Z", "to"],
      ["from=0000-01-01", "from"],
      ["from=2026-02-30", "from"],
      ["from=yesterday", "from"],
      ["cursor=1e300", "cursor"],
      ["limit=9999", "limit"],
    ]) {
      const res = await audit(await request(`/api/audit?${query}`, { user: users.auditor }));
      expect(res.status, query).toBe(422);
      expect(Object.keys((await errorOf(res)).details!.fields), query).toContain(field);
    }
    for (const query of [
      "from=0001-01-01",
      "to=9999-12-31T23:59:59.999Z",
      "from=2026-11-30T08:15:00%2B01:00",
    ]) {
      const res = await audit(await request(`/api/audit?${query}`, { user: users.auditor }));
      expect(res.status, query).toBe(200);
    }
  });

  it("answers a body nested half a million levels deep with 4xx, not a stack overflow", async () => {
    const depth = 500_000;
    for (const rawBody of [
      "[".repeat(depth) + "]".repeat(depth),
      '{"email":"deep@test.local","role":"auditor","name":' + "[".repeat(depth) + "]".repeat(depth) + "}",
    ]) {
      const res = await usersPost(
        await request("/api/users", { method: "POST", user: users.admin, rawBody }),
      );
      expect(res.status).toBe(422);
    }
  });

  it("refuses a body over 1 MiB with 413 and writes nothing", async () => {
    const before = await userCount();
    const big = JSON.stringify({ email: "big@test.local", name: "x".repeat(1024 * 1024), role: "auditor" });
    const res = await usersPost(
      await request("/api/users", { method: "POST", user: users.admin, rawBody: big }),
    );
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe("payload_too_large");
    expect(await userCount()).toBe(before);
  });
});

describe(`API conventions (${testDriver()})`, () => {
  it("reports health with the driver and migrations", async () => {
    const { GET } = await load("app/api/health/route.ts");
    const res = await GET!(await request("/api/health"));
    const body = (await res.json()) as {
      status: string;
      database: string;
      migrations: { pending: number };
      version: string;
    };
    expect(body).toMatchObject({ status: "ok", database: testDriver(), migrations: { pending: 0 } });
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("reuses a well-formed incoming request id and replaces a malformed one", async () => {
    const { GET } = await load("app/api/health/route.ts");
    const good = new Request("http://handoff.test/api/health", {
      headers: { "x-request-id": "abc-12345678" },
    });
    expect((await GET!(good)).headers.get("x-request-id")).toBe("abc-12345678");
    const bad = new Request("http://handoff.test/api/health", { headers: { "x-request-id": "<script>" } });
    expect((await GET!(bad)).headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});
