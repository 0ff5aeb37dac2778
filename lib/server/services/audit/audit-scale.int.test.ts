import { randomUUID } from "node:crypto";
import { desc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";
import { insertUser, type TestUser } from "@/test/session";
import { auditCheckpoints, auditEvents } from "@/lib/server/db/schema";
import { AppError, type ServiceContext } from "@/lib/server/kernel";
import { csvCell, exportAuditEvents } from "./export";
import {
  getAuditChainState,
  hashAuditRow,
  recordAudit,
  runAuditVerification,
  verifyAuditChain,
} from "./audit";

let t: TestDatabase;
let auditor: TestUser;
let officer: TestUser;
let clock = Date.UTC(2026, 10, 1, 9, 0, 0);
const tick = () => new Date((clock += 1000));

function ctxOf(user: TestUser): ServiceContext {
  return {
    db: t.db,
    actor: { id: user.id, email: user.email, name: `Test ${user.role}`, role: user.role },
    now: tick,
    requestId: "req-scale",
    ip: null,
    userAgent: null,
  };
}

async function append(
  n: number,
  action = "test.scale",
  data: (i: number) => Record<string, unknown> = (i) => ({ i }),
) {
  for (let i = 0; i < n; i++) {
    await t.db.transaction((tx) =>
      recordAudit(
        tx,
        { actor: { id: null, label: "tester" }, now: tick() },
        {
          action,
          entityType: "thing",
          entityId: String(i),
          data: data(i),
        },
      ),
    );
  }
}

async function tamper(seq: number, data: Record<string, unknown>) {
  await t.db.execute(sql`alter table audit_events disable trigger audit_events_no_update_delete`);
  await t.db.execute(sql`update audit_events set data = ${JSON.stringify(data)}::jsonb where seq = ${seq}`);
  await t.db.execute(sql`alter table audit_events enable trigger audit_events_no_update_delete`);
}

async function restore(seq: number, data: Record<string, unknown>) {
  await tamper(seq, data);
}

async function head(): Promise<number> {
  const [row] = await t.db
    .select({ seq: auditEvents.seq })
    .from(auditEvents)
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  return row?.seq ?? 0;
}

async function text(stream: ReadableStream<Uint8Array>): Promise<{ body: string; chunks: number }> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let body = "";
  let chunks = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks++;
    body += decoder.decode(value, { stream: true });
  }
  return { body, chunks };
}

/** A minimal RFC 4180 reader for the assertions (quoted cells, doubled quotes, CRLF). */
function parseCsv(input: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (quoted) {
      if (c === '"' && input[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && input[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += c;
  }
  return rows;
}

beforeAll(async () => {
  t = await createTestDatabase();
  auditor = await insertUser(t.db, "auditor");
  officer = await insertUser(t.db, "officer");
});
afterAll(async () => {
  await t.close();
});

describe(`incremental verification (${testDriver()})`, () => {
  it("walks from the genesis the first time, then only the rows after the newest checkpoint", async () => {
    await append(30);
    const first = await runAuditVerification(ctxOf(auditor), { mode: "incremental" });
    const total = await head();
    expect(first).toMatchObject({ ok: true, checked: total - 1, startedAfterSeq: 0, mode: "incremental" });
    // The verification is itself audited, after its checkpoint: the next walk starts with it.
    const [verified] = await t.db.select().from(auditEvents).where(eq(auditEvents.seq, total));
    expect(verified).toMatchObject({ action: "audit.verified", actorId: auditor.id });
    expect(verified!.data).toMatchObject({ mode: "incremental", ok: true, checked: total - 1 });

    await append(7);
    const second = await runAuditVerification(ctxOf(auditor), { mode: "incremental" });
    expect(second).toMatchObject({ ok: true, checked: 8, startedAfterSeq: total - 1, lastSeq: total + 7 });
    const [cp] = await t.db
      .select()
      .from(auditCheckpoints)
      .orderBy(desc(auditCheckpoints.verifiedAt))
      .limit(1);
    expect(cp).toMatchObject({
      ok: true,
      full: false,
      checked: 8,
      verifiedThroughSeq: total + 7,
      verifiedBy: auditor.id,
    });
    expect(cp!.firstBadSeq).toBeNull();
  });

  it("the page's state is read-only: the newest checkpoint, by whom, and the rows after it walked", async () => {
    const before = await t.db.select().from(auditCheckpoints);
    const rowsBefore = await head();
    const state = await getAuditChainState(ctxOf(auditor));
    expect(state).toMatchObject({ ok: true, checked: 1, headSeq: rowsBefore });
    expect(state.checkpoint).toMatchObject({ ok: true, verifiedThroughSeq: rowsBefore - 1, checked: 8 });
    expect(state.checkpoint!.verifiedBy).toMatchObject({ id: auditor.id, email: auditor.email });
    expect(await t.db.select().from(auditCheckpoints)).toHaveLength(before.length);
    expect(await head()).toBe(rowsBefore);
  });

  it("detects a row altered after the checkpoint, records the failure, and keeps reporting it", async () => {
    const from = await head();
    await append(5);
    const victim = from + 3;
    await tamper(victim, { i: 999 });
    const result = await runAuditVerification(ctxOf(auditor), { mode: "incremental" });
    // The walk starts at the previous verification's own event (from), then from+1, from+2.
    expect(result).toMatchObject({ ok: false, checked: 3, firstBad: { seq: victim, reason: "altered" } });
    const [cp] = await t.db
      .select()
      .from(auditCheckpoints)
      .orderBy(desc(auditCheckpoints.verifiedAt))
      .limit(1);
    expect(cp).toMatchObject({ ok: false, firstBadSeq: victim, verifiedThroughSeq: victim - 1, checked: 3 });
    expect(cp!.failureReason).toContain(`seq ${victim}`);
    // The failed checkpoint remembers the good prefix: the next incremental walk meets the bad row again.
    const again = await verifyAuditChain(t.db, { mode: "incremental" });
    expect(again).toMatchObject({ ok: false, checked: 0, firstBad: { seq: victim } });
    await restore(victim, { i: 2 });
    const repaired = await runAuditVerification(ctxOf(auditor), { mode: "incremental" });
    expect(repaired).toMatchObject({ ok: true, startedAfterSeq: victim - 1 });
  });

  it("detects an altered checkpointed row, which a walk of the new rows alone would miss", async () => {
    const [cp] = await t.db
      .select()
      .from(auditCheckpoints)
      .orderBy(desc(auditCheckpoints.verifiedAt))
      .limit(1);
    const anchor = cp!.verifiedThroughSeq;
    const [row] = await t.db.select().from(auditEvents).where(eq(auditEvents.seq, anchor));
    await append(3);
    await tamper(anchor, { forged: true });
    const result = await runAuditVerification(ctxOf(auditor), { mode: "incremental" });
    expect(result).toMatchObject({ ok: false, checked: 0, firstBad: { seq: anchor, reason: "altered" } });
    // Nothing after a cut or altered anchor can be trusted: the next walk starts at the genesis.
    const [failed] = await t.db
      .select()
      .from(auditCheckpoints)
      .orderBy(desc(auditCheckpoints.verifiedAt))
      .limit(1);
    expect(failed).toMatchObject({ ok: false, firstBadSeq: anchor, verifiedThroughSeq: 0 });
    await restore(anchor, row!.data);
    expect(await verifyAuditChain(t.db, { mode: "incremental" })).toMatchObject({
      ok: true,
      startedAfterSeq: 0,
      checked: await head(),
    });
  });

  it("detects an altered row before the checkpoint only with a full walk", async () => {
    const [early] = await t.db.select().from(auditEvents).where(eq(auditEvents.seq, 5));
    await runAuditVerification(ctxOf(auditor), { mode: "incremental" });
    await tamper(5, { i: -1 });
    expect(await verifyAuditChain(t.db, { mode: "incremental" })).toMatchObject({ ok: true });
    const full = await runAuditVerification(ctxOf(auditor), { mode: "full" });
    expect(full).toMatchObject({
      ok: false,
      mode: "full",
      startedAfterSeq: 0,
      checked: 4,
      firstBad: { seq: 5 },
    });
    const [cp] = await t.db
      .select()
      .from(auditCheckpoints)
      .orderBy(desc(auditCheckpoints.verifiedAt))
      .limit(1);
    expect(cp).toMatchObject({ full: true, ok: false, firstBadSeq: 5, verifiedThroughSeq: 4 });
    // Now the incremental walk resumes at the bad row too.
    expect(await verifyAuditChain(t.db, { mode: "incremental" })).toMatchObject({
      ok: false,
      firstBad: { seq: 5 },
    });
    await restore(5, early!.data);
    const total = await head();
    expect(await runAuditVerification(ctxOf(auditor), { mode: "full" })).toMatchObject({
      ok: true,
      checked: total,
    });
  });

  it("refuses a role without audit.verify, writing nothing", async () => {
    const before = await t.db.select().from(auditCheckpoints);
    const rows = await head();
    await expect(runAuditVerification(ctxOf(officer), { mode: "full" })).rejects.toBeInstanceOf(AppError);
    await expect(getAuditChainState(ctxOf(officer))).rejects.toBeInstanceOf(AppError);
    expect(await t.db.select().from(auditCheckpoints)).toHaveLength(before.length);
    expect(await head()).toBe(rows);
  });
});

describe(`export (${testDriver()})`, () => {
  it("escapes CSV cells and defuses formulas", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');
    for (const f of ["=1+1", "+cmd", "-2", "@SUM(A1)", "\tx"])
      expect(csvCell(f).replace(/^"|"$/g, "")).toBe(`'${f}`);
    expect(csvCell(null)).toBe("");
    expect(csvCell(42)).toBe("42");
    expect(csvCell({ a: "b,c" })).toBe('"{""a"":""b,c""}"');
  });

  it("streams a filtered CSV slice with a header, escaped cells and the hashes, and audits the export first", async () => {
    await append(3, "csv.tricky", (i) => ({ note: `=HYPERLINK("x"), ${i}` }));
    await t.db.transaction((tx) =>
      recordAudit(
        tx,
        { actor: { id: null, label: '=cmd|"/c calc"!A1' }, now: tick() },
        { action: "csv.tricky" },
      ),
    );
    const expected = await t.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, "csv.tricky"))
      .orderBy(auditEvents.seq);
    const out = await exportAuditEvents(ctxOf(auditor), { format: "csv", action: "csv." });
    expect(out.contentType).toMatch(/^text\/csv/);
    expect(out.filename).toMatch(/^audit-.*\.csv$/);
    const rows = parseCsv((await text(out.stream)).body);
    expect(rows[0]).toEqual([
      "seq",
      "id",
      "occurred_at",
      "actor_id",
      "actor_label",
      "action",
      "entity_type",
      "entity_id",
      "request_id",
      "ip",
      "user_agent",
      "data",
      "prev_hash",
      "hash",
    ]);
    expect(rows).toHaveLength(5);
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(expected.map((e) => e.seq));
    expect(rows[1]![12]).toBe(expected[0]!.prevHash);
    expect(rows[1]![13]).toBe(expected[0]!.hash);
    expect(JSON.parse(rows[1]![11]!)).toEqual(expected[0]!.data);
    expect(rows[4]![4]).toBe(`'=cmd|"/c calc"!A1`);
    const [audited] = await t.db.select().from(auditEvents).orderBy(desc(auditEvents.seq)).limit(1);
    expect(audited).toMatchObject({ action: "audit.exported", actorId: auditor.id });
    expect(audited!.data).toEqual({ format: "csv", filters: { action: "csv." } });
  });

  it("streams 5,000 events as JSON Lines in batches, oldest first, honouring the filters", async () => {
    const values = Array.from({ length: 5000 }, (_, i) => i);
    // Chained rows written in bulk (hashAuditRow, as recordAudit does; the chain is verified below).
    await t.db.transaction(async (tx) => {
      const [last] = await tx
        .select({ hash: auditEvents.hash })
        .from(auditEvents)
        .orderBy(desc(auditEvents.seq))
        .limit(1);
      let prevHash = last!.hash;
      const rows = values.map((i) => {
        const row = {
          id: randomUUID(),
          occurredAt: tick(),
          actorId: null,
          actorLabel: "bulk",
          action: i % 2 ? "bulk.odd" : "bulk.even",
          entityType: "bulk",
          entityId: String(i),
          requestId: null,
          ip: null,
          userAgent: null,
          data: { i },
        };
        const hash = hashAuditRow(prevHash, row);
        const out = { ...row, prevHash, hash };
        prevHash = hash;
        return out;
      });
      for (let b = 0; b < rows.length; b += 500) await tx.insert(auditEvents).values(rows.slice(b, b + 500));
    });
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true });
    const all = await exportAuditEvents(ctxOf(auditor), { format: "jsonl", action: "bulk." });
    const { body, chunks } = await text(all.stream);
    const lines = body
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(5000);
    expect(chunks).toBeGreaterThanOrEqual(3);
    expect(lines.map((l) => (l.data as { i: number }).i)).toEqual(values);
    expect(Object.keys(lines[0]!).sort()).toEqual([
      "action",
      "actor_id",
      "actor_label",
      "data",
      "entity_id",
      "entity_type",
      "hash",
      "id",
      "ip",
      "occurred_at",
      "prev_hash",
      "request_id",
      "seq",
      "user_agent",
    ]);
    for (let i = 1; i < lines.length; i++)
      expect(lines[i]!.seq as number).toBeGreaterThan(lines[i - 1]!.seq as number);

    const odd = await exportAuditEvents(ctxOf(auditor), {
      format: "jsonl",
      action: "bulk.odd",
      entityId: "7",
    });
    const oddLines = (await text(odd.stream)).body.trimEnd().split("\n");
    expect(oddLines).toHaveLength(1);
    expect(JSON.parse(oddLines[0]!)).toMatchObject({ action: "bulk.odd", entity_id: "7" });
    const none = await exportAuditEvents(ctxOf(auditor), {
      format: "csv",
      action: "bulk.",
      from: new Date(clock + 3600_000),
    });
    expect(parseCsv((await text(none.stream)).body)).toHaveLength(1);
  });

  it("refuses a role without audit.read, auditing nothing", async () => {
    const rows = await head();
    await expect(exportAuditEvents(ctxOf(officer), { format: "csv" })).rejects.toMatchObject({
      code: "forbidden",
    });
    expect(await head()).toBe(rows);
  });
});
