/**
 * The audit trail at 1,000,000 events (issue 9 §6) on PostgreSQL: the chain is written fast
 * (hashes computed here with `hashAuditRow`, rows streamed with COPY), then measured:
 * the audit page's list query (first page; filtered pages by action prefix, by entity, by time
 * range, by actor) p50/p95, the page's chain state (GET /api/audit/verify: the newest checkpoint
 * and the rows after it), a full verification's wall time, then 1,000 events appended the real
 * way (`recordAudit`) and the incremental verification of just those.
 *
 *   npx tsx --conditions=react-server bench/audit-scale.ts \
 *     --database-url postgres://postgres@127.0.0.1:5432/postgres [--events 1000000] [--iterations 50]
 *
 * A scratch database is created on that server and dropped afterwards (--keep keeps it).
 * Exits 1 if a verification is not ok or walks the wrong number of rows.
 */
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import postgres from "postgres";
import type { AuditListQuery } from "@/lib/schemas/audit";
import { createScratchDatabase, percentile, runMain } from "./lib";
import { configureBench } from "./world";

const USAGE =
  "usage: bench/audit-scale.ts --database-url postgres://… [--events 1000000] [--iterations 50] [--keep]";

const ACTIONS = [
  "auth.login",
  "auth.logout",
  "shares.create",
  "shares.revoke",
  "shares.revealed",
  "inbox.received",
  "imports.create",
  "imports.imported",
  "reviews.decided",
  "partners.update",
  "users.update",
  "applications.update",
  "lineage.viewed",
  "evidence.exported",
  "audit.verified",
];
const ENTITY = ["share", "inbox_item", "import", "partner", "user", "session", "application"];

/** COPY text format: backslash, tab, newline and carriage return escaped; null as \N. */
function copyField(value: string | null): string {
  if (value === null) return "\\N";
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r",
  );
}

async function timeIt(iterations: number, fn: () => Promise<unknown>) {
  for (let i = 0; i < 3; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p95: percentile(ms, 95) };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      "database-url": { type: "string" },
      events: { type: "string", default: "1000000" },
      iterations: { type: "string", default: "50" },
      keep: { type: "boolean", default: false },
    },
  });
  const url = values["database-url"];
  if (!url) {
    console.error(USAGE);
    return 2;
  }
  const events = Number(values.events);
  const iterations = Number(values.iterations);
  configureBench();
  const { migratePostgresUrl, openPostgres } = await import("@/lib/server/db/open");
  const audit = await import("@/lib/server/services/audit");
  const scratch = await createScratchDatabase(url, "handoff_audit_scale");
  await migratePostgresUrl(scratch.url);
  const handle = openPostgres(scratch.url, { max: 4 });
  const raw = postgres(scratch.url, { max: 1, onnotice: () => undefined });
  const lines: string[] = [];
  const out = (line = "") => {
    lines.push(line);
    console.log(line);
  };
  let failed = false;
  try {
    // --- Write the chain: 50 actors, 15 actions, 7 entity types, one event every ~30 s over a year.
    const actors = Array.from({ length: 50 }, (_, i) => ({
      id: randomUUID(),
      label: `user-${i}@bank.example`,
    }));
    const entityIds = Array.from({ length: 20_000 }, () => randomUUID());
    const start = Date.UTC(2025, 11, 1);
    const t0 = performance.now();
    let prevHash = audit.GENESIS_HASH;
    let hashMs = 0;
    function* chunks(): Generator<string> {
      const batch: string[] = [];
      for (let i = 0; i < events; i++) {
        const h0 = performance.now();
        const actor = actors[i % actors.length]!;
        const row = {
          id: randomUUID(),
          occurredAt: new Date(start + i * 30_000),
          actorId: actor.id,
          actorLabel: actor.label,
          action: ACTIONS[(i * 7) % ACTIONS.length]!,
          entityType: ENTITY[i % ENTITY.length]!,
          entityId: entityIds[(i * 13) % entityIds.length]!,
          requestId: `req-${i}`,
          ip: `10.0.${(i >> 8) & 255}.${i & 255}`,
          userAgent: "Mozilla/5.0 (X11; Linux x86_64) bench",
          data: { n: i, reason: i % 3 === 0 ? "Routine check" : "Partner request" },
        };
        const hash = audit.hashAuditRow(prevHash, row);
        hashMs += performance.now() - h0;
        batch.push(
          [
            row.id,
            row.occurredAt.toISOString(),
            row.actorId,
            row.actorLabel,
            row.action,
            row.entityType,
            row.entityId,
            row.requestId,
            row.ip,
            row.userAgent,
            JSON.stringify(row.data),
            prevHash,
            hash,
          ]
            .map(copyField)
            .join("\t") + "\n",
        );
        prevHash = hash;
        if (batch.length === 10_000) {
          yield batch.join("");
          batch.length = 0;
        }
      }
      if (batch.length) yield batch.join("");
    }
    const copy =
      await raw`copy audit_events (id, occurred_at, actor_id, actor_label, action, entity_type, entity_id, request_id, ip, user_agent, data, prev_hash, hash) from stdin`.writable();
    await pipeline(Readable.from(chunks()), copy);
    const insertMs = performance.now() - t0;
    await raw`analyze audit_events`;
    const { count, size, version } = (
      await raw<{ count: string; size: string; version: string }[]>`
        select count(*)::text as count, pg_size_pretty(pg_total_relation_size('audit_events')) as size,
          current_setting('server_version') as version from audit_events`
    )[0]!;

    out(`# Audit trail at scale`);
    out();
    out(
      `Run ${new Date().toISOString()} on PostgreSQL (${version}), 2 cores, Node ${process.version}: \`npm run bench:audit-scale -- --database-url … --events ${events}\`.`,
    );
    out();
    out(`## Writing the chain`);
    out();
    out(`| events | wall time | rate | of which hashing (Node) | table + indexes |`);
    out(`| --- | --- | --- | --- | --- |`);
    out(
      `| ${Number(count).toLocaleString("en-GB")} | ${(insertMs / 1000).toFixed(1)} s | ${Math.round(events / (insertMs / 1000)).toLocaleString("en-GB")}/s | ${(hashMs / 1000).toFixed(1)} s | ${size} |`,
    );
    out();

    // --- The page's list query.
    const db = handle.db;
    const mid = new Date(start + Math.floor(events / 2) * 30_000);
    const cases: [string, AuditListQuery][] = [
      ["first page (newest 50)", { limit: 50 }],
      ["action prefix `shares.`", { action: "shares.", limit: 50 }],
      ["entity type + id", { entityType: "share", entityId: entityIds[7 * 13]!, limit: 50 }],
      ["time range (one day, mid-year)", { from: mid, to: new Date(mid.getTime() + 86_400_000), limit: 50 }],
      ["actor by id", { actor: actors[3]!.id, limit: 50 }],
      ["actor by e-mail fragment `user-3@`", { actor: "user-3@", limit: 50 }],
    ];
    out(
      `## The audit page's list query (\`listAuditEvents\`, 50 a page, ${iterations} runs after 3 warm-ups)`,
    );
    out();
    out(`| query | p50 | p95 | rows |`);
    out(`| --- | --- | --- | --- |`);
    for (const [name, query] of cases) {
      const page = await audit.listAuditEvents(db, query);
      const { p50, p95 } = await timeIt(iterations, () => audit.listAuditEvents(db, query));
      out(`| ${name} | ${p50.toFixed(1)} ms | ${p95.toFixed(1)} ms | ${page.items.length} |`);
    }
    // The second page of the first: the keyset cursor.
    const first = await audit.listAuditEvents(db, { limit: 50 });
    const next = { limit: 50, cursor: Number(first.nextCursor) };
    const second = await timeIt(iterations, () => audit.listAuditEvents(db, next));
    out(`| second page (cursor) | ${second.p50.toFixed(1)} ms | ${second.p95.toFixed(1)} ms | 50 |`);
    out();

    // --- Full verification (recorded as a checkpoint), then the page's chain state.
    const f0 = performance.now();
    const full = await audit.verifyAuditChain(db, {
      mode: "full",
      record: { actorId: null, now: new Date() },
    });
    const fullMs = performance.now() - f0;
    if (!full.ok || full.checked !== events) failed = true;
    const ctx = {
      db,
      actor: { id: actors[0]!.id, email: actors[0]!.label, name: "Bench", role: "auditor" as const },
      now: () => new Date(),
      requestId: "bench",
      ip: null,
      userAgent: null,
    };
    const state = await timeIt(iterations, () => audit.getAuditChainState(ctx));

    // --- 1,000 events appended the real way, then incremental verification of just those.
    const a0 = performance.now();
    for (let i = 0; i < 1000; i++) {
      await db.transaction((tx) =>
        audit.recordAudit(
          tx,
          { actor: { id: null, label: "bench" }, now: new Date(), requestId: `bench-${i}` },
          { action: "bench.appended", entityType: "bench", entityId: String(i), data: { i } },
        ),
      );
    }
    const appendMs = performance.now() - a0;
    const stateAfter = await timeIt(Math.min(iterations, 10), () => audit.getAuditChainState(ctx));
    const i0 = performance.now();
    const inc = await audit.verifyAuditChain(db, {
      mode: "incremental",
      record: { actorId: null, now: new Date() },
    });
    const incMs = performance.now() - i0;
    if (!inc.ok || inc.checked !== 1000) failed = true;
    const empty0 = performance.now();
    const incEmpty = await audit.verifyAuditChain(db, { mode: "incremental" });
    const emptyMs = performance.now() - empty0;
    if (!incEmpty.ok || incEmpty.checked !== 0) failed = true;

    out(`## Verification`);
    out();
    out(`| what | rows walked | wall time | result |`);
    out(`| --- | --- | --- | --- |`);
    out(
      `| full (from the genesis, checkpoint written) | ${full.checked.toLocaleString("en-GB")} | ${(fullMs / 1000).toFixed(1)} s | ${full.ok ? "ok" : "BROKEN"} |`,
    );
    out(
      `| 1,000 events appended with \`recordAudit\` (one transaction each) | — | ${(appendMs / 1000).toFixed(1)} s (${(appendMs / 1000).toFixed(2)} ms each) | — |`,
    );
    out(
      `| incremental after those 1,000 (checkpoint written) | ${inc.checked.toLocaleString("en-GB")} | ${incMs.toFixed(0)} ms | ${inc.ok ? "ok" : "BROKEN"} |`,
    );
    out(
      `| incremental with nothing new (anchor re-checked only) | ${incEmpty.checked} | ${emptyMs.toFixed(1)} ms | ${incEmpty.ok ? "ok" : "BROKEN"} |`,
    );
    out();
    out(`## The page's chain state (GET /api/audit/verify: newest checkpoint + rows after it, read-only)`);
    out();
    out(`| when | p50 | p95 |`);
    out(`| --- | --- | --- |`);
    out(
      `| right after the full verification (0 new rows) | ${state.p50.toFixed(1)} ms | ${state.p95.toFixed(1)} ms |`,
    );
    out(
      `| with 1,000 rows after the checkpoint | ${stateAfter.p50.toFixed(1)} ms | ${stateAfter.p95.toFixed(1)} ms |`,
    );
    out();
    if (failed) out(`**A verification failed or walked the wrong number of rows.**`);
  } finally {
    await raw.end();
    await handle.close();
    await scratch.drop(values.keep);
  }
  if (process.env.BENCH_RESULTS) {
    const { writeFileSync } = await import("node:fs");
    writeFileSync(process.env.BENCH_RESULTS, `${lines.join("\n")}\n`);
  }
  return failed ? 1 : 0;
}

runMain(main);
