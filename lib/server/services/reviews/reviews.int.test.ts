import { and, eq, inArray } from "drizzle-orm";
import { strFromU8, unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as assignRoute from "@/app/api/imports/[id]/assign/route";
import * as rejectRoute from "@/app/api/imports/[id]/decision/reject/route";
import * as decisionRoute from "@/app/api/imports/[id]/decision/route";
import * as detailRoute from "@/app/api/imports/[id]/route";
import * as reviewersRoute from "@/app/api/imports/reviewers/route";
import * as listRoute from "@/app/api/imports/route";
import type { ImportDto } from "@/lib/schemas/imports";
import type {
  DecisionResponse,
  ImportDetailDto,
  ImportListItemDto,
  ImportListResponse,
} from "@/lib/schemas/reviews";
import { auditEvents, importDecisions, imports, partners, users } from "@/lib/server/db/schema";
import { runDueJobs } from "@/lib/server/jobs";
import { exportEvidencePack } from "@/lib/server/services/compliance/evidence";
import { registerProductJobs } from "@/lib/server/services/jobs";
import { createImport } from "@/lib/server/services/receiving/import";
import type { Sender } from "@/lib/server/services/receiving/inbox.test-kit";
import { CONFIRM_AFTER_MS, CONFIRM_QUEUE } from "./confirm";
import { listImports } from "./queue";
import { reviewWorld, type ReviewWorld } from "./reviews.test-kit";
import { captureLogs } from "@/lib/server/services/sharing/shares.test-kit";
import { testDriver } from "@/test/database";
import { insertUser, request, type TestUser } from "@/test/session";

type ErrorBody = {
  error: {
    code: string;
    message: string;
    details?: { decisionId?: string; outcomeUnknown?: boolean; fields?: Record<string, string[]> };
  };
};
type Answer<T> = { status: number; body: T & ErrorBody; text: string };

let x: ReviewWorld;
let A: TestUser;
let B: TestUser;
let auditor: TestUser;
let partnerships: TestUser;
let admin: TestUser;
/** A partner whose decisions need four eyes. */
let fourEyes: Sender;
let logs: ReturnType<typeof captureLogs>;
const answers: string[] = [];

async function answer<T>(res: Response): Promise<Answer<T>> {
  const text = await res.text();
  answers.push(text);
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Answer<T>["body"], text };
}

async function list(query: Record<string, string>, user: TestUser = A) {
  const qs = new URLSearchParams(query).toString();
  return answer<ImportListResponse>(await listRoute.GET(await request(`/api/imports?${qs}`, { user })));
}

async function detail(id: string, user: TestUser = A) {
  return answer<ImportDetailDto>(
    await detailRoute.GET(await request(`/api/imports/${id}`, { user }), { params: Promise.resolve({ id }) }),
  );
}

async function decide(id: string, body: unknown, user: TestUser = A) {
  const req = await request(`/api/imports/${id}/decision`, { method: "POST", user, body });
  return answer<DecisionResponse>(await decisionRoute.POST(req, { params: Promise.resolve({ id }) }));
}

async function assign(id: string, body: unknown, user: TestUser = A) {
  const req = await request(`/api/imports/${id}/assign`, { method: "POST", user, body });
  return answer<ImportListItemDto>(await assignRoute.POST(req, { params: Promise.resolve({ id }) }));
}

async function rejectProposal(id: string, body: unknown, user: TestUser = A) {
  const req = await request(`/api/imports/${id}/decision/reject`, { method: "POST", user, body });
  return answer<ImportListItemDto>(await rejectRoute.POST(req, { params: Promise.resolve({ id }) }));
}

async function decisionsOf(importId: string) {
  return x.w.t.db.select().from(importDecisions).where(eq(importDecisions.importId, importId));
}

async function importRow(id: string) {
  const [row] = await x.w.t.db.select().from(imports).where(eq(imports.id, id));
  return row!;
}

async function auditActions(importId: string) {
  const rows = await x.w.t.db
    .select({ action: auditEvents.action, data: auditEvents.data, actorId: auditEvents.actorId })
    .from(auditEvents)
    .where(and(eq(auditEvents.entityType, "import"), eq(auditEvents.entityId, importId)))
    .orderBy(auditEvents.seq);
  return rows;
}

/** The clone's status as the sandbox holds it (through Northwind Bank's key). */
async function statusAtDidit(cloneSessionId: string): Promise<string> {
  const res = await x.w.api.decision(x.w.bank.key, cloneSessionId);
  expect(res.status, res.text).toBe(200);
  return (res.body as { status: string }).status;
}

const updateCalls = () => x.proxy.count({ path: /update-status/ });

/** Runs the confirmation jobs as the worker would after their delay. */
const runConfirmJobs = () =>
  runDueJobs(x.w.t.db, { queues: [CONFIRM_QUEUE], now: new Date(Date.now() + CONFIRM_AFTER_MS + 60_000) });

beforeAll(async () => {
  logs = captureLogs();
  x = await reviewWorld();
  A = x.officerA;
  B = x.officerB;
  auditor = await insertUser(x.w.t.db, "auditor");
  partnerships = await insertUser(x.w.t.db, "partnerships");
  admin = await insertUser(x.w.t.db, "admin");
  fourEyes = await x.kit.newSender({ requireFourEyes: true });
  registerProductJobs();
}, 60_000);

afterAll(async () => {
  logs?.restore();
  await x?.close();
});

describe(`The review queue (${testDriver()})`, () => {
  it("lists open proposals first, then the oldest import; newest first reverses time; paging with the cursor returns every row once, in order", async () => {
    const sender = await x.kit.newSender({ requireFourEyes: true });
    const made: ImportDto[] = [];
    for (let i = 0; i < 6; i++) made.push(await x.imported({ sender }));
    // Proposals on the 2nd and 5th: they come first, oldest first among them.
    for (const i of [1, 4]) expect((await decide(made[i]!.id, { status: "Approved" })).status).toBe(202);
    const byTime = [...made].sort(
      (a, b) => Date.parse(a.finishedAt!) - Date.parse(b.finishedAt!) || a.id.localeCompare(b.id),
    );
    const proposed = new Set([made[1]!.id, made[4]!.id]);
    const queue = [...byTime.filter((m) => proposed.has(m.id)), ...byTime.filter((m) => !proposed.has(m.id))];

    const all = await list({ partnerId: sender.id });
    expect(all.status, all.text).toBe(200);
    expect(all.body.items.map((i) => i.id)).toEqual(queue.map((m) => m.id));
    expect(all.body.nextCursor).toBeNull();
    expect(all.body.items[0]!.pendingProposal).toMatchObject({ status: "Approved", state: "proposed" });
    expect(all.body.items[0]!.pendingProposal!.decidedBy.id).toBe(A.id);
    expect(all.body.items[2]!.pendingProposal).toBeNull();
    expect(all.body.items.every((i) => i.requireFourEyes && i.status === "In Review")).toBe(true);

    const newest = await list({ partnerId: sender.id, sort: "newest" });
    expect(newest.body.items.map((i) => i.id)).toEqual([...byTime].reverse().map((m) => m.id));

    for (const sort of ["queue", "newest"] as const) {
      const expected = sort === "queue" ? queue : [...byTime].reverse();
      for (let limit = 1; limit <= 7; limit++) {
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page: Answer<ImportListResponse> = await list({
            partnerId: sender.id,
            sort,
            limit: String(limit),
            ...(cursor ? { cursor } : {}),
          });
          expect(page.status, page.text).toBe(200);
          expect(page.body.items.length).toBeLessThanOrEqual(limit);
          seen.push(...page.body.items.map((i) => i.id));
          cursor = page.body.nextCursor;
          expect(++pages).toBeLessThan(20);
        } while (cursor);
        expect(seen, `${sort}, limit ${limit}`).toEqual(expected.map((m) => m.id));
      }
    }

    // A cursor of the other order, or one we did not write: 422, as the shares and inbox lists.
    const firstQueuePage = await list({ partnerId: sender.id, limit: "2" });
    const wrongSort = await list({
      partnerId: sender.id,
      sort: "newest",
      cursor: firstQueuePage.body.nextCursor!,
    });
    expect(wrongSort.status).toBe(422);
    expect(wrongSort.body.error.code).toBe("validation_failed");
    const garbage = await list({ cursor: "qbm90LWEtY3Vyc29y" });
    expect(garbage.status).toBe(422);
    const bads: Record<string, string>[] = [
      { limit: "0" },
      { limit: "101" },
      { status: "In_Review" },
      { kind: "person" },
      { overdue: "yes" },
      { assignee: "someone" },
      { sort: "oldest" },
      { nope: "1" },
    ];
    for (const bad of bads) {
      const res = await list(bad);
      expect(res.status, JSON.stringify(bad)).toBe(422);
      expect(res.body.error.code).toBe("validation_failed");
    }
  });

  it("filters by status, state, kind, application, assignee, overdue and q (clone or source id, vendor_data prefix)", async () => {
    const sender = await x.kit.newSender();
    const kyc = await x.imported({ sender });
    const kyb = await x.imported({ sender, kind: "business" });
    const trusted = await x.imported({ sender, trustReview: true });
    expect(trusted.statusAtImport).toBe("Approved");
    // A failed import: a workflow that does not exist at Didit.
    const item = await x.item({ sender });
    await expect(
      createImport(x.ctxOf(A), item.id, { workflowId: crypto.randomUUID() }),
    ).rejects.toMatchObject({ code: "workflow_not_found" });

    const ids = async (query: Record<string, string>, user: TestUser = A) => {
      const res = await list({ partnerId: sender.id, ...query }, user);
      expect(res.status, res.text).toBe(200);
      return res.body.items.map((i) => i.id).sort();
    };
    const sorted = (...d: { id: string }[]) => d.map((i) => i.id).sort();
    expect(await ids({ status: "In Review" })).toEqual(sorted(kyc, kyb));
    expect(await ids({ status: "Approved" })).toEqual(sorted(trusted));
    expect(await ids({ status: "in review" })).toEqual([]);
    expect((await ids({ state: "failed" })).length).toBe(1);
    expect(await ids({ state: "imported", kind: "business" })).toEqual(sorted(kyb));
    expect(await ids({ kind: "user", status: "In Review" })).toEqual(sorted(kyc));
    expect((await ids({ applicationId: x.w.bankRow })).length).toBe(4);
    expect(await ids({ applicationId: crypto.randomUUID() })).toEqual([]);

    expect(await ids({ q: kyc.cloneSessionId! })).toEqual(sorted(kyc));
    expect(await ids({ q: kyc.cloneSessionId!.toUpperCase() })).toEqual(sorted(kyc));
    expect(await ids({ q: kyb.sourceSessionId })).toEqual(sorted(kyb));
    expect(await ids({ q: trusted.vendorData.slice(0, 20).toUpperCase() })).toEqual(sorted(trusted));
    expect(await ids({ q: "handoff-%" })).toEqual([]);

    expect((await assign(kyc.id, { assigneeId: "me" })).status).toBe(200);
    expect((await assign(kyb.id, { assigneeId: B.id })).status).toBe(200);
    expect(await ids({ assignee: "me" })).toEqual(sorted(kyc));
    expect(await ids({ assignee: "me" }, B)).toEqual(sorted(kyb));
    expect(await ids({ assignee: B.id })).toEqual(sorted(kyb));
    expect(await ids({ assignee: "unassigned", state: "imported" })).toEqual(sorted(trusted));

    // Overdue: In Review past finishedAt + the partner's SLA (48 h by default), seen 49 h later.
    expect(await ids({ overdue: "true" })).toEqual([]);
    const later = await listImports(
      x.ctxOf(A, () => new Date(Date.now() + 49 * 3_600_000)),
      {
        partnerId: sender.id,
        overdue: "true",
      },
    );
    expect(later.items.map((i) => i.id).sort()).toEqual(sorted(kyc, kyb));
    const row = later.items.find((i) => i.id === kyc.id)!;
    expect(row.overdue).toBe(true);
    expect(row.reviewSlaHours).toBe(48);
    expect(Date.parse(row.dueAt!)).toBe(Date.parse(kyc.finishedAt!) + 48 * 3_600_000);
    const notOverdue = await listImports(
      x.ctxOf(A, () => new Date(Date.now() + 49 * 3_600_000)),
      {
        partnerId: sender.id,
        overdue: "false",
      },
    );
    expect(notOverdue.items.map((i) => i.id)).toContain(trusted.id);
    expect(notOverdue.items.map((i) => i.id)).not.toContain(kyc.id);
    // A shorter SLA makes it overdue now.
    await x.w.t.db.update(partners).set({ reviewSlaHours: 1 }).where(eq(partners.id, sender.id));
    const soon = await listImports(
      x.ctxOf(A, () => new Date(Date.now() + 2 * 3_600_000)),
      {
        partnerId: sender.id,
        overdue: "true",
      },
    );
    expect(soon.items.map((i) => i.id).sort()).toEqual(sorted(kyc, kyb));
  });

  it("reads a page in a constant number of queries, however long the page (no query per row)", async () => {
    const sender = await x.kit.newSender({ requireFourEyes: true });
    for (let i = 0; i < 4; i++) {
      const imp = await x.imported({ sender });
      if (i % 2) await decide(imp.id, { status: "Approved" });
    }
    const counted = (limit: number) => {
      let selects = 0;
      const db = new Proxy(x.w.t.db, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver) as unknown;
          if (prop !== "select" || typeof value !== "function") return value;
          return (...args: unknown[]) => {
            selects++;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
      return listImports({ ...x.ctxOf(A), db }, { partnerId: sender.id, limit }).then((page) => ({
        rows: page.items.length,
        selects,
      }));
    };
    const one = await counted(1);
    const all = await counted(50);
    expect(one.rows).toBe(1);
    expect(all.rows).toBe(4);
    // The page, then its open and unconfirmed decisions.
    expect(one.selects).toBe(2);
    expect(all.selects).toBe(2);
  });

  it("every role that reads the inbox reads the queue and the review; only officers assign and decide (403 for the others, nothing changed)", async () => {
    const imp = await x.imported();
    for (const user of [A, auditor, partnerships, admin]) {
      expect((await list({ partnerId: x.sender.id }, user)).status).toBe(200);
      expect((await detail(imp.id, user)).status).toBe(200);
    }
    for (const user of [auditor, partnerships, admin]) {
      const a = await assign(imp.id, { assigneeId: "me" }, user);
      expect(a.status).toBe(403);
      expect(a.body.error.code).toBe("forbidden");
      const d = await decide(imp.id, { status: "Approved" }, user);
      expect(d.status).toBe(403);
      expect(d.body.error.code).toBe("forbidden");
      const r = await rejectProposal(imp.id, { comment: "no" }, user);
      expect(r.status).toBe(403);
      const view = await detail(imp.id, user);
      expect(view.body.can).toEqual({ decide: false, confirm: false, rejectProposal: false, assign: false });
    }
    expect(await decisionsOf(imp.id)).toEqual([]);
    expect((await importRow(imp.id)).assignedTo).toBeNull();
    expect((await detail(imp.id)).body.can).toEqual({
      decide: true,
      confirm: false,
      rejectProposal: false,
      assign: true,
    });
    const unknown = crypto.randomUUID();
    expect((await detail(unknown)).status).toBe(404);
    expect((await detail("not-a-uuid")).status).toBe(404);
    expect((await decide(unknown, { status: "Approved" })).status).toBe(404);
  });
});

describe(`Assignment (${testDriver()})`, () => {
  it("assigns to me, to another officer, unassigns; refuses a non-officer (422) and an import that is not imported (409); audited", async () => {
    const imp = await x.imported();
    const me = await assign(imp.id, { assigneeId: "me" });
    expect(me.status, me.text).toBe(200);
    expect(me.body.assignee).toMatchObject({ id: A.id });
    expect(me.body.assignedAt).not.toBeNull();
    const toB = await assign(imp.id, { assigneeId: B.id });
    expect(toB.body.assignee).toMatchObject({ id: B.id });
    for (const bad of [auditor.id, admin.id, crypto.randomUUID()]) {
      const res = await assign(imp.id, { assigneeId: bad });
      expect(res.status).toBe(422);
      expect(res.body.error.details?.fields?.assigneeId).toBeDefined();
    }
    const disabled = await insertUser(x.w.t.db, "officer", { status: "disabled" });
    expect((await assign(imp.id, { assigneeId: disabled.id })).status).toBe(422);
    for (const bad of [{}, { assigneeId: "you" }, { assigneeId: 3 }, { assigneeId: "me", extra: 1 }]) {
      expect((await assign(imp.id, bad)).status, JSON.stringify(bad)).toBe(422);
    }
    expect((await importRow(imp.id)).assignedTo).toBe(B.id);
    const none = await assign(imp.id, { assigneeId: null });
    expect(none.status).toBe(200);
    expect(none.body.assignee).toBeNull();
    expect(none.body.assignedAt).toBeNull();
    const assigned = (await auditActions(imp.id)).filter((e) => e.action === "import.assigned");
    expect(assigned.map((e) => e.data)).toEqual([
      { from: null, to: A.id },
      { from: A.id, to: B.id },
      { from: B.id, to: null },
    ]);
    const view = await detail(imp.id);
    expect(view.body.timeline.filter((e) => e.kind === "assigned").map((e) => e.summary)).toEqual([
      "Test officer assigned the review to Test officer",
      "Test officer assigned the review to Test officer",
      "Test officer unassigned the review (it was Test officer’s)",
    ]);

    const item = await x.item();
    await createImport(x.ctxOf(A), item.id, { workflowId: crypto.randomUUID() }).catch(() => undefined);
    const [failed] = await x.w.t.db.select().from(imports).where(eq(imports.inboxItemId, item.id));
    expect(failed!.state).toBe("failed");
    const refused = await assign(failed!.id, { assigneeId: "me" });
    expect(refused.status).toBe(409);
    expect((await importRow(failed!.id)).assignedTo).toBeNull();
  });
});

describe(`Decisions without four eyes (${testDriver()})`, () => {
  it("approves at Didit with our key (one update-status), sent then confirmed by the check, audited; the clone is then not in review", async () => {
    const imp = await x.imported();
    x.proxy.reset();
    const res = await decide(imp.id, { status: "Approved", comment: "Documents verified  " });
    expect(res.status, res.text).toBe(200);
    expect(res.body.decision).toMatchObject({
      status: "Approved",
      comment: "Documents verified",
      state: "sent",
      decidedBy: { id: A.id },
      secondBy: null,
      confirmedAt: null,
    });
    expect(res.body.decision.sentAt).not.toBeNull();
    expect(res.body.import.awaitingConfirmation?.id).toBe(res.body.decision.id);
    expect(updateCalls()).toEqual({ received: 1, forwarded: 1 });
    expect(await statusAtDidit(imp.cloneSessionId!)).toBe("Approved");
    expect((await auditActions(imp.id)).map((e) => e.action)).toEqual([
      "import.created",
      "import.decision_submitted",
      "import.decided",
    ]);

    // Another decision while Didit's confirmation is awaited: 409 decision_pending, no Didit call.
    const again = await decide(imp.id, { status: "Declined", comment: "changed my mind" }, B);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("decision_pending");
    expect(updateCalls().received).toBe(1);
    const view = await detail(imp.id, B);
    expect(view.body.can.decide).toBe(false);

    // No webhook in this world: the safety net reads the decision and confirms it, 2 minutes on.
    expect((await runDueJobs(x.w.t.db, { queues: [CONFIRM_QUEUE] })).claimed).toBe(0);
    expect((await runConfirmJobs()).done).toBeGreaterThanOrEqual(1);
    const [d] = await decisionsOf(imp.id);
    expect(d).toMatchObject({ state: "confirmed" });
    expect(d!.confirmedAt).not.toBeNull();
    const row = await importRow(imp.id);
    expect(row.status).toBe("Approved");
    const actions = await auditActions(imp.id);
    expect(actions.slice(-2).map((e) => [e.action, e.data])).toEqual([
      ["import.status_changed", { from: "In Review", to: "Approved", source: "check" }],
      ["import.decision_confirmed", { decisionId: d!.id, status: "Approved", source: "check" }],
    ]);

    const notInReview = await decide(imp.id, { status: "Declined", comment: "late" });
    expect(notInReview.status).toBe(409);
    expect(notInReview.body.error.code).toBe("not_in_review");
    expect(notInReview.body.error.message).toContain("Approved");
    expect(
      (await list({ partnerId: x.sender.id, status: "In Review" })).body.items.map((i) => i.id),
    ).not.toContain(imp.id);
    const timeline = (await detail(imp.id)).body.timeline.map((e) => e.kind);
    expect(timeline).toEqual(["shared", "delivered", "imported", "decided", "status_changed", "confirmed"]);
  });

  it("declines with a comment; a decline without one is 422 and nothing is written or sent", async () => {
    const imp = await x.imported();
    x.proxy.reset();
    for (const body of [
      { status: "Declined" },
      { status: "Declined", comment: "   " },
      { status: "Rejected", comment: "x" },
      { status: "Approved", comment: "x".repeat(1001) },
      { status: "Approved", extra: true },
      {},
    ]) {
      const res = await decide(imp.id, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.error.code).toBe("validation_failed");
    }
    const bad = await decide(imp.id, { status: "Declined" });
    expect(bad.body.error.details?.fields?.comment).toEqual(["Say why you decline: a comment is required"]);
    expect(await decisionsOf(imp.id)).toEqual([]);
    expect(updateCalls().received).toBe(0);
    const ok = await decide(imp.id, { status: "Declined", comment: "Document forged" });
    expect(ok.status, ok.text).toBe(200);
    expect(await statusAtDidit(imp.cloneSessionId!)).toBe("Declined");
  });

  it("concurrent decisions by two officers: one Didit call, one decision, the others 409 decision_pending", async () => {
    const imp = await x.imported();
    x.proxy.reset();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        decide(imp.id, i % 2 ? { status: "Approved" } : { status: "Declined", comment: "no" }, i % 2 ? A : B),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    for (const r of results.filter((r) => r.status === 409))
      expect(r.body.error.code).toBe("decision_pending");
    expect(updateCalls()).toEqual({ received: 1, forwarded: 1 });
    const rows = await decisionsOf(imp.id);
    expect(rows.length).toBe(1);
    expect(await statusAtDidit(imp.cloneSessionId!)).toBe(rows[0]!.status);
  });

  it("a Didit refusal fails the decision with our code and message (audited); the officer can decide again", async () => {
    const imp = await x.imported();
    x.proxy.reset();
    // Didit refuses our key (a 403 changes nothing; a 5xx might have, and is a lost answer).
    x.proxy.fault({ path: /update-status/ }, { kind: "status", status: 403 });
    const refused = await decide(imp.id, { status: "Approved" });
    expect(refused.status, refused.text).toBe(502);
    expect(refused.body.error.code).toBe("key_rejected");
    const [failed] = await decisionsOf(imp.id);
    expect(failed).toMatchObject({ state: "failed", failureCode: "key_rejected" });
    expect(failed!.failureReason).toBe(refused.body.error.message);
    expect((await auditActions(imp.id)).at(-1)).toMatchObject({
      action: "import.decision_failed",
      data: { decisionId: failed!.id, status: "Approved", code: "key_rejected" },
    });
    expect(await statusAtDidit(imp.cloneSessionId!)).toBe("In Review");

    // Didit's own refusal: the session was already changed at Didit (our status not yet updated).
    const res = await x.w.api.call("PATCH", `/sandbox/v3/session/${imp.cloneSessionId}/update-status/`, {
      key: x.w.bank.key,
      body: { new_status: "Approved" },
    });
    expect(res.status, res.text).toBe(200);
    const same = await decide(imp.id, { status: "Approved" });
    expect(same.status, same.text).toBe(409);
    expect(same.body.error.code).toBe("conflict");
    expect(same.body.error.message).toContain("already has this status");
    const declined = await decide(imp.id, { status: "Declined", comment: "on second look" });
    expect(declined.status, declined.text).toBe(200);
    expect((await decisionsOf(imp.id)).map((d) => d.state).sort()).toEqual(["failed", "failed", "sent"]);
    expect(JSON.stringify(await detail(imp.id))).not.toContain(x.w.bank.key);
  });

  it("a clone deleted at Didit: the decision is refused as session_deleted (not a missing import) and fails", async () => {
    const imp = await x.imported();
    x.proxy.reset();
    const del = await x.w.api.call("DELETE", `/sandbox/v3/session/${imp.cloneSessionId}/delete/`, {
      key: x.w.bank.key,
    });
    expect(del.status, del.text).toBe(204);
    const refused = await decide(imp.id, { status: "Approved" });
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body.error.code).toBe("session_deleted");
    expect(refused.body.error.message).toContain("no longer exists at Didit");
    const [failed] = await decisionsOf(imp.id);
    expect(failed).toMatchObject({ state: "failed", failureCode: "session_deleted" });
  });

  it("a lost answer (Didit applied it, the answer never came) stays pending until the check confirms it", async () => {
    const imp = await x.imported();
    x.proxy.reset();
    x.proxy.fault({ path: /update-status/ }, { kind: "hang", forward: true });
    const lost = await decide(imp.id, { status: "Approved" });
    expect(lost.status, lost.text).toBe(504);
    expect(lost.body.error.details?.outcomeUnknown).toBe(true);
    const [pending] = await decisionsOf(imp.id);
    expect(pending).toMatchObject({ state: "sent", sentAt: null });
    expect((await decide(imp.id, { status: "Approved" }, B)).body.error.code).toBe("decision_pending");
    await runConfirmJobs();
    const [confirmed] = await decisionsOf(imp.id);
    expect(confirmed!.state).toBe("confirmed");
    expect((await importRow(imp.id)).status).toBe("Approved");
  });

  it("a lost answer where Didit did not apply it: the check fails the decision and the clone can be decided again", async () => {
    const imp = await x.imported();
    x.proxy.reset();
    x.proxy.fault({ path: /update-status/ }, { kind: "hang" });
    expect((await decide(imp.id, { status: "Approved" })).status).toBe(504);
    await runConfirmJobs();
    const [failed] = await decisionsOf(imp.id);
    expect(failed).toMatchObject({ state: "failed", failureCode: "conflict" });
    expect(failed!.failureReason).toContain("did not take effect");
    expect((await importRow(imp.id)).status).toBe("In Review");
    expect((await decide(imp.id, { status: "Approved" })).status).toBe(200);
  });

  it("refuses a clone that is not In Review (409 not_in_review naming its status) and an import that is not imported", async () => {
    const trusted = await x.imported({ trustReview: true });
    x.proxy.reset();
    const res = await decide(trusted.id, { status: "Declined", comment: "x" });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("not_in_review");
    expect(res.body.error.message).toBe(
      "This clone is Approved at Didit, not In Review: there is nothing to decide.",
    );
    expect(updateCalls().received).toBe(0);
    const item = await x.item();
    await createImport(x.ctxOf(A), item.id, { workflowId: crypto.randomUUID() }).catch(() => undefined);
    const [failed] = await x.w.t.db.select().from(imports).where(eq(imports.inboxItemId, item.id));
    const notImported = await decide(failed!.id, { status: "Approved" });
    expect(notImported.status).toBe(409);
    expect(notImported.body.error.code).toBe("conflict");
    expect(await decisionsOf(failed!.id)).toEqual([]);
  });
});

describe(`Four eyes (${testDriver()})`, () => {
  it("a proposal (202, nothing sent), the proposer cannot confirm it (403 own_proposal), a second officer confirms it → Didit", async () => {
    const imp = await x.imported({ sender: fourEyes });
    x.proxy.reset();
    const proposed = await decide(imp.id, { status: "Approved", comment: "Looks right" });
    expect(proposed.status, proposed.text).toBe(202);
    expect(proposed.body.decision).toMatchObject({
      state: "proposed",
      decidedBy: { id: A.id },
      sentAt: null,
    });
    expect(proposed.body.import.pendingProposal?.id).toBe(proposed.body.decision.id);
    expect(updateCalls().received).toBe(0);
    expect(await statusAtDidit(imp.cloneSessionId!)).toBe("In Review");

    expect((await detail(imp.id, A)).body.can).toMatchObject({
      decide: false,
      confirm: false,
      rejectProposal: true,
    });
    expect((await detail(imp.id, B)).body.can).toMatchObject({
      decide: true,
      confirm: true,
      rejectProposal: true,
    });

    for (const body of [{ status: "Approved" }, { status: "Declined", comment: "other" }]) {
      const own = await decide(imp.id, body, A);
      expect(own.status).toBe(403);
      expect(own.body.error).toMatchObject({
        code: "own_proposal",
        message: "You proposed this decision: a second, different officer must confirm it.",
      });
    }
    expect(updateCalls().received).toBe(0);

    const confirmed = await decide(imp.id, { status: "Approved", comment: "Agreed" }, B);
    expect(confirmed.status, confirmed.text).toBe(200);
    expect(confirmed.body.decision).toMatchObject({
      id: proposed.body.decision.id,
      state: "sent",
      comment: "Looks right",
      decidedBy: { id: A.id },
      secondBy: { id: B.id },
      secondComment: "Agreed",
    });
    expect(confirmed.body.import.pendingProposal).toBeNull();
    expect(updateCalls()).toEqual({ received: 1, forwarded: 1 });
    expect(await statusAtDidit(imp.cloneSessionId!)).toBe("Approved");
    const actions = await auditActions(imp.id);
    expect(actions.map((e) => e.action)).toEqual([
      "import.created",
      "import.decision_proposed",
      "import.decision_submitted",
      "import.decided",
    ]);
    expect(actions.at(-1)!.actorId).toBe(B.id);
    expect(actions.at(-1)!.data).toMatchObject({ proposedBy: A.id, confirmedBy: B.id, status: "Approved" });
  });

  it("a second officer with the other status rejects the proposal and proposes theirs (202); the first officer confirms it", async () => {
    const imp = await x.imported({ sender: fourEyes });
    x.proxy.reset();
    const first = await decide(imp.id, { status: "Approved" });
    expect(first.status).toBe(202);
    const counter = await decide(imp.id, { status: "Declined", comment: "The address does not match" }, B);
    expect(counter.status, counter.text).toBe(202);
    expect(counter.body.decision).toMatchObject({
      status: "Declined",
      state: "proposed",
      decidedBy: { id: B.id },
    });
    const rows = await decisionsOf(imp.id);
    expect(rows.find((d) => d.id === first.body.decision.id)).toMatchObject({
      state: "rejected",
      secondBy: B.id,
      secondComment: "The address does not match",
    });
    expect(updateCalls().received).toBe(0);
    const own = await decide(imp.id, { status: "Declined", comment: "yes" }, B);
    expect(own.body.error.code).toBe("own_proposal");
    const done = await decide(imp.id, { status: "Declined", comment: "Confirmed" }, A);
    expect(done.status, done.text).toBe(200);
    expect(done.body.decision).toMatchObject({ id: counter.body.decision.id, secondBy: { id: A.id } });
    expect(await statusAtDidit(imp.cloneSessionId!)).toBe("Declined");
    const view = await detail(imp.id);
    expect(view.body.decisions.map((d) => [d.status, d.state])).toEqual([
      ["Approved", "rejected"],
      ["Declined", "sent"],
    ]);
    expect(view.body.timeline.map((e) => e.kind)).toEqual([
      "shared",
      "delivered",
      "imported",
      "proposed",
      "proposal_rejected",
      "proposed",
      "decided",
    ]);
  });

  it("another officer rejects the open proposal, its proposer withdraws one; without an open proposal 409; a comment is required", async () => {
    const imp = await x.imported({ sender: fourEyes });
    expect((await rejectProposal(imp.id, { comment: "nothing" })).status).toBe(409);
    const p1 = await decide(imp.id, { status: "Approved" });
    expect(p1.status).toBe(202);
    for (const bad of [{}, { comment: "" }, { comment: "  " }, { comment: 5 }, { comment: "x", more: 1 }]) {
      expect((await rejectProposal(imp.id, bad, B)).status, JSON.stringify(bad)).toBe(422);
    }
    const rejected = await rejectProposal(imp.id, { comment: "Liveness is weak" }, B);
    expect(rejected.status, rejected.text).toBe(200);
    expect(rejected.body.pendingProposal).toBeNull();
    expect((await rejectProposal(imp.id, { comment: "again" }, B)).status).toBe(409);
    const p2 = await decide(imp.id, { status: "Declined", comment: "fraud" });
    expect(p2.status).toBe(202);
    const withdrawn = await rejectProposal(imp.id, { comment: "Wrong file" }, A);
    expect(withdrawn.status).toBe(200);
    const states = (await decisionsOf(imp.id)).map((d) => [d.id, d.state, d.secondComment]);
    expect(states).toEqual(
      expect.arrayContaining([
        [p1.body.decision.id, "rejected", "Liveness is weak"],
        [p2.body.decision.id, "withdrawn", "Wrong file"],
      ]),
    );
    const actions = (await auditActions(imp.id)).map((e) => e.action);
    expect(actions).toEqual([
      "import.created",
      "import.decision_proposed",
      "import.proposal_rejected",
      "import.decision_proposed",
      "import.proposal_withdrawn",
    ]);
    expect((await detail(imp.id)).body.timeline.map((e) => e.kind).slice(3)).toEqual([
      "proposed",
      "proposal_rejected",
      "proposed",
      "proposal_withdrawn",
    ]);
    expect(await statusAtDidit(imp.cloneSessionId!)).toBe("In Review");
  });
});

describe(`Four eyes: the second officer's comment (${testDriver()})`, () => {
  const lastReviewAtDidit = async (cloneSessionId: string) => {
    const res = await x.w.api.decision(x.w.bank.key, cloneSessionId);
    const reviews = (res.body as { reviews?: { new_status?: string; comment?: string | null }[] }).reviews;
    return reviews?.at(-1) ?? null;
  };

  it("confirming with proposalId: the comment is optional (even to Decline), stored, audited, sent to Didit beside the proposer's, and both are on the timeline and in the evidence pack", async () => {
    await x.w.t.db.update(users).set({ name: "Olu Officer" }).where(eq(users.id, A.id));
    await x.w.t.db.update(users).set({ name: "Ada Second" }).where(eq(users.id, B.id));
    try {
      // Confirming a Declined proposal without a comment of one's own.
      const declined = await x.imported({ sender: fourEyes });
      const p1 = await decide(declined.id, { status: "Declined", comment: "The selfie does not match" });
      expect(p1.status, p1.text).toBe(202);
      const bare = await decide(declined.id, { status: "Declined", proposalId: p1.body.decision.id }, B);
      expect(bare.status, bare.text).toBe(200);
      expect(bare.body.decision).toMatchObject({
        state: "sent",
        secondBy: { id: B.id },
        secondComment: null,
      });
      expect(await lastReviewAtDidit(declined.cloneSessionId!)).toMatchObject({
        comment: "The selfie does not match",
      });
      // Without proposalId, declining still needs a comment.
      const other = await x.imported({ sender: fourEyes });
      const p2 = await decide(other.id, { status: "Approved", comment: "Documents match the source" });
      expect(p2.status).toBe(202);
      expect((await decide(other.id, { status: "Declined" }, B)).status).toBe(422);
      // A proposalId that is not the open proposal, or another status: 409, nothing sent.
      x.proxy.reset();
      const stale = await decide(other.id, { status: "Approved", proposalId: p1.body.decision.id }, B);
      expect(stale.status, stale.text).toBe(409);
      expect(stale.body.error.message).toContain("no longer open");
      const wrong = await decide(
        other.id,
        { status: "Declined", comment: "no", proposalId: p2.body.decision.id },
        B,
      );
      expect(wrong.status, wrong.text).toBe(409);
      expect(wrong.body.error.message).toContain("This proposal is Approved, not Declined");
      expect(updateCalls().received).toBe(0);
      expect((await decide(other.id, { status: "Approved", proposalId: "nope" }, B)).status).toBe(422);

      // Confirming with a comment: stored beside the proposer's, audited, and sent to Didit labelled.
      const ok = await decide(
        other.id,
        { status: "Approved", comment: "Checked the address proof too", proposalId: p2.body.decision.id },
        B,
      );
      expect(ok.status, ok.text).toBe(200);
      expect(ok.body.decision).toMatchObject({
        comment: "Documents match the source",
        secondComment: "Checked the address proof too",
        secondBy: { id: B.id, name: "Ada Second" },
      });
      expect(await lastReviewAtDidit(other.cloneSessionId!)).toMatchObject({
        comment: "Proposer: Documents match the source\nSecond officer: Checked the address proof too",
      });
      const actions = await auditActions(other.id);
      expect(actions.find((e) => e.action === "import.decision_submitted")!.data).toMatchObject({
        proposedBy: A.id,
        comment: "Checked the address proof too",
      });
      expect(actions.find((e) => e.action === "import.decided")!.data).toMatchObject({
        comment: "Documents match the source",
        secondComment: "Checked the address proof too",
        proposedBy: A.id,
        confirmedBy: B.id,
      });

      // The timeline: sentences with the people by name (and their email for the tooltip).
      const view = await detail(other.id);
      const byKind = (kind: string) => view.body.timeline.find((e) => e.kind === kind)!;
      expect(byKind("proposed").summary).toBe("Olu Officer proposed Approved: “Documents match the source”");
      expect(byKind("proposed").sentence[0]).toEqual({
        person: { id: A.id, name: "Olu Officer", email: A.email },
      });
      expect(byKind("decided").summary).toBe(
        "Ada Second confirmed Approved (proposed by Olu Officer), sent to Didit: “Checked the address proof too”",
      );
      expect(byKind("decided").sentence).toContainEqual({
        person: { id: A.id, name: "Olu Officer", email: A.email },
      });
      expect(byKind("decided").actor).toBe("Ada Second");
      expect(byKind("imported").summary).toMatch(/^Olu Officer imported the token as clone /);

      // The evidence pack's decision records hold both comments and both officers.
      const pack = await exportEvidencePack(x.ctxOf(auditor), other.cloneSessionId!);
      const decisionsFile = JSON.parse(strFromU8(unzipSync(pack.bytes)["records/decisions.json"]!)) as Record<
        string,
        unknown
      >[];
      expect(decisionsFile).toContainEqual(
        expect.objectContaining({
          id: p2.body.decision.id,
          comment: "Documents match the source",
          decidedBy: A.id,
          secondBy: B.id,
          secondComment: "Checked the address proof too",
        }),
      );
    } finally {
      await x.w.t.db
        .update(users)
        .set({ name: "Test officer" })
        .where(inArray(users.id, [A.id, B.id]));
    }
  });

  it("rejecting needs the second officer's comment; it is on the proposal and the timeline", async () => {
    const imp = await x.imported({ sender: fourEyes });
    const p = await decide(imp.id, { status: "Approved", comment: "Fine" });
    expect(p.status).toBe(202);
    expect((await rejectProposal(imp.id, { comment: " " }, B)).status).toBe(422);
    expect((await rejectProposal(imp.id, { comment: "The address is stale" }, B)).status).toBe(200);
    const view = await detail(imp.id);
    expect(view.body.decisions.at(-1)).toMatchObject({
      state: "rejected",
      comment: "Fine",
      secondComment: "The address is stale",
    });
    expect(view.body.timeline.map((e) => e.summary).slice(-2)).toEqual([
      "Test officer proposed Approved: “Fine”",
      "Test officer rejected the proposal of Approved: “The address is stale”",
    ]);
  });
});

describe(`The review page (${testDriver()})`, () => {
  it("shows the lineage (token times, channel, partner and agreement at share time), the clone as Didit holds it, and no secret", async () => {
    const imp = await x.imported();
    const view = await detail(imp.id);
    expect(view.status, view.text).toBe(200);
    const body = view.body;
    expect(body.lineage).toMatchObject({
      sourceSessionId: imp.sourceSessionId,
      sharedFromSession: imp.sourceSessionId,
      channel: "push",
      trustReview: false,
      importedBy: { id: A.id },
      importedByPolicy: null,
      partner: {
        id: x.sender.id,
        agreementReference: "DSA-2026-001",
        agreementValidAtShare: true,
        status: "active",
      },
    });
    expect(body.lineage.ttlSeconds).toBeGreaterThan(0);
    expect(Date.parse(body.lineage.expiresAt) - Date.parse(body.lineage.sharedAt)).toBe(
      body.lineage.ttlSeconds * 1000,
    );
    expect(body.lineage.manifest).toMatchObject({ agreement_reference: "DSA-2026-001" });
    expect(body.lineage.importedAt).toBe(imp.finishedAt);
    expect(body.clone).toMatchObject({ available: true, decision: { sessionId: imp.cloneSessionId } });
    expect(body.source).toEqual({ relation: "partner" });
    expect(body.timeline.map((e) => e.kind)).toEqual(["shared", "delivered", "imported"]);
    expect(body.timeline[0]!.at).toBe(body.lineage.sharedAt);
    expect(body.timeline[2]!.actor).toBe("Test officer");
    expect(body.decisions).toEqual([]);

    // An agreement that had expired when the token was minted.
    await x.w.t.db
      .update(partners)
      .set({ agreementExpiresOn: "2020-01-01" })
      .where(eq(partners.id, x.sender.id));
    expect((await detail(imp.id)).body.lineage.partner.agreementValidAtShare).toBe(false);
    await x.w.t.db
      .update(partners)
      .set({ agreementSignedOn: null, agreementExpiresOn: null })
      .where(eq(partners.id, x.sender.id));
    expect((await detail(imp.id)).body.lineage.partner.agreementValidAtShare).toBeNull();
    await x.w.t.db
      .update(partners)
      .set({ agreementSignedOn: "2026-01-01", agreementExpiresOn: "2099-12-31" })
      .where(eq(partners.id, x.sender.id));
  });

  it("never puts a key, token or secret in any answer or log", async () => {
    const text = answers.join("\n") + logs.text();
    expect(text).not.toContain(x.w.bank.key);
    expect(text).not.toContain(x.sender.secret);
    expect(text).not.toContain(fourEyes.secret);
    const withIds = await x.w.t.db
      .select({ id: importDecisions.id })
      .from(importDecisions)
      .where(
        inArray(importDecisions.state, ["proposed", "sent", "confirmed", "failed", "rejected", "withdrawn"]),
      );
    expect(withIds.length).toBeGreaterThan(5);
  });
});

describe(`The reviewers a review can be assigned to (${testDriver()})`, () => {
  async function reviewers(user: TestUser) {
    return answer<{ items: { id: string; name: string; email: string }[] }>(
      await reviewersRoute.GET(await request("/api/imports/reviewers", { user })),
    );
  }

  it("lists the active officers by name with only id, name and email; other roles 403; a disabled officer is not listed", async () => {
    const zed = await insertUser(x.w.t.db, "officer");
    await x.w.t.db.update(users).set({ name: "Zed Officer" }).where(eq(users.id, zed.id));
    const ada = await insertUser(x.w.t.db, "officer");
    await x.w.t.db.update(users).set({ name: "Ada Officer" }).where(eq(users.id, ada.id));
    const gone = await insertUser(x.w.t.db, "officer", { status: "disabled" });

    const res = await reviewers(A);
    expect(res.status, res.text).toBe(200);
    const ids = res.body.items.map((u) => u.id);
    expect(ids).toEqual(expect.arrayContaining([A.id, B.id, zed.id, ada.id]));
    expect(ids).not.toContain(gone.id);
    for (const other of [auditor, partnerships, admin]) expect(ids).not.toContain(other.id);
    expect(res.body.items.every((u) => Object.keys(u).sort().join() === "email,id,name")).toBe(true);
    expect(res.text).not.toMatch(/password|hash|role|status|scrypt/i);
    const names = res.body.items.map((u) => u.name);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(names[0]).toBe("Ada Officer");
    expect(names.at(-1)).toBe("Zed Officer");
    expect(res.body.items.find((u) => u.id === ada.id)).toEqual({
      id: ada.id,
      name: "Ada Officer",
      email: ada.email,
    });

    // Deactivated later: gone from the list, and no longer assignable.
    await x.w.t.db.update(users).set({ status: "disabled" }).where(eq(users.id, zed.id));
    expect((await reviewers(B)).body.items.map((u) => u.id)).not.toContain(zed.id);
    const imp = await x.imported();
    expect((await assign(imp.id, { assigneeId: zed.id })).status).toBe(422);
    expect((await assign(imp.id, { assigneeId: ada.id })).body.assignee).toMatchObject({ id: ada.id });

    for (const user of [auditor, partnerships, admin]) {
      const denied = await reviewers(user);
      expect(denied.status, user.role).toBe(403);
      expect(denied.body.error.code).toBe("forbidden");
      expect(denied.text).not.toContain(ada.email);
    }
    const anonymous = await reviewersRoute.GET(await request("/api/imports/reviewers"));
    expect(anonymous.status).toBe(401);
  });
});
