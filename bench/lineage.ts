/**
 * The lineage graph's server time (issue 9 §1: ≤ 50 ms on PostgreSQL): `getLineage(ctx, ref)` as
 * `GET /api/lineage/{sessionId}` calls it, over two worlds written directly into the database:
 * - a 50-hop chain between two sister applications (Northwind Bank → Northwind Pay → Bank…), each
 *   hop a mirror row with its `shared_from_session`, our internal share with the receipt naming
 *   the clone, the inbox item and the import, and two audit events (share.created, import.created);
 *   asked from its head (50 hops down), its tail (50 hops up) and its middle;
 * - a 10,000-clone fan-out: one session shared 10,000 times, each clone imported by the sister
 *   and mirrored (30,000 step records); asked from the source (50 shown, 9,950 in a group node)
 *   and from one clone.
 *
 *   npx tsx --conditions=react-server bench/lineage.ts \
 *     [--iterations 200] [--hops 50] [--fan-out 10000] \
 *     [--database-url postgres://postgres@127.0.0.1:5432/postgres]
 *
 * On PostgreSQL with --database-url (a scratch database, dropped afterwards), else in-memory PGlite.
 * Sequential calls after 20 warm-up calls. Exits 1 if a graph is not the expected shape, or if a
 * p95 on PostgreSQL is over the budget.
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import type { Db } from "@/lib/server/db/types";
import { percentile, runMain } from "./lib";
import { benchOfficer, configureBench, openBenchDatabase } from "./world";

const USAGE =
  "Usage: bench/lineage.ts [--iterations N] [--hops N] [--fan-out N] [--database-url postgres://…]";
const WARM_UP = 20;
const BUDGET_P95_MS = 50;

type Stats = { p50: number; p95: number; p99: number; max: number };

function stats(ms: number[]): Stats {
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? 0,
  };
}

async function insertApp(db: Db, name: string): Promise<{ id: string; didit: string }> {
  const id = randomUUID();
  const didit = randomUUID();
  await db.execute(
    sql`insert into connected_applications (id, name, didit_application_id, environment) values (${id}, ${name}, ${didit}, 'sandbox')`,
  );
  return { id, didit };
}

async function insertPartner(db: Db, applicationId: string, name: string, didit: string): Promise<string> {
  const id = randomUUID();
  await db.execute(
    sql`insert into partners (id, name, didit_application_id, application_id, direction, allowed_kinds, allowed_statuses, delivery_channel)
        values (${id}, ${name}, ${didit}, ${applicationId}, 'both', '["user","business"]', '["Approved","Declined","In Review"]', 'internal')`,
  );
  return id;
}

type Hop = { from: { id: string; didit: string }; to: { id: string; didit: string }; partner: string };

/**
 * `count` clones of `source` (held by hop.from), each: a share to hop.partner with the receipt, an
 * inbox item and an import in hop.to, a mirror row in hop.to. In one statement set over a scratch table.
 */
async function insertClones(
  db: Db,
  hop: Hop,
  source: string,
  count: number,
  officer: string,
  clones?: string[],
) {
  await db.transaction(async (tx) => {
    await tx.execute(
      sql`create temporary table bench_fan (g int, clone uuid, share_id uuid, item_id uuid) on commit drop`,
    );
    if (clones) {
      await tx.execute(
        sql`insert into bench_fan select g, (${`{${clones.join(",")}}`}::uuid[])[g], gen_random_uuid(), gen_random_uuid() from generate_series(1, ${clones.length}) g`,
      );
    } else {
      await tx.execute(
        sql`insert into bench_fan select g, gen_random_uuid(), gen_random_uuid(), gen_random_uuid() from generate_series(1, ${count}) g`,
      );
    }
    const t0 = sql`now() - interval '30 days' + make_interval(secs => f.g)`;
    await tx.execute(
      sql`insert into shares (id, application_id, partner_id, session_id, session_kind, session_number, source_status, for_application_id,
                              ttl_seconds, token_hash, claims, issued_at, expires_at, channel, state, manifest, agreement,
                              receipt_status, receipt_clone_session_id, receipt_at, created_by, created_at, delivered_at)
          select f.share_id, ${hop.from.id}, ${hop.partner}, ${source}, 'user', null, 'Approved', ${hop.to.didit},
                 600, md5(f.share_id::text), '{}'::jsonb, ${t0}, ${t0} + interval '10 minutes', 'internal', 'delivered',
                 '{"session_number":null,"status":"Approved","created_at":null,"features":[],"agreement_reference":null}'::jsonb,
                 '{"reference":null,"signedOn":null,"expiresOn":null,"partnerStatus":"active"}'::jsonb,
                 'imported', f.clone, ${t0} + interval '1 minute', ${officer}, ${t0}, ${t0}
            from bench_fan f`,
    );
    await tx.execute(
      sql`insert into inbox_items (id, application_id, partner_id, source, sender_share_id, local_share_id, token_hash, claims,
                                   session_kind, source_session_id, from_application_id, expires_at, state, received_at)
          select f.item_id, ${hop.to.id}, ${hop.partner}, 'internal', f.share_id, f.share_id, md5(f.item_id::text), '{}'::jsonb,
                 'user', ${source}, ${hop.from.didit}, ${t0} + interval '10 minutes', 'imported', ${t0}
            from bench_fan f`,
    );
    await tx.execute(
      sql`insert into imports (inbox_item_id, application_id, partner_id, sender_share_id, source_session_id, session_kind,
                               clone_session_id, clone_session_number, shared_from_session, trust_review, workflow_id, vendor_data,
                               status_at_import, status, state, imported_by, started_at, finished_at, created_at)
          select f.item_id, ${hop.to.id}, ${hop.partner}, f.share_id, ${source}, 'user', f.clone, f.g, ${source}, false,
                 gen_random_uuid(), 'handoff-' || f.item_id::text, 'In Review', 'In Review', 'imported', ${officer},
                 ${t0}, ${t0} + interval '1 minute', ${t0}
            from bench_fan f`,
    );
    await tx.execute(
      sql`insert into session_mirror (application_id, didit_session_id, session_number, kind, status, didit_created_at, shared_from_session)
          select ${hop.to.id}, f.clone, f.g, 'user', 'In Review', ${t0} + interval '1 minute', ${source} from bench_fan f`,
    );
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      iterations: { type: "string", default: "200" },
      hops: { type: "string", default: "50" },
      "fan-out": { type: "string", default: "10000" },
      "database-url": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const iterations = Number(values.iterations);
  const hops = Number(values.hops);
  const fanOut = Number(values["fan-out"]);
  if (![iterations, hops, fanOut].every((n) => Number.isInteger(n) && n > 0)) {
    console.error(USAGE);
    return 2;
  }

  configureBench();
  const database = await openBenchDatabase({
    databaseUrl: values["database-url"],
    prefix: "bench_lineage",
    pool: 4,
  });
  try {
    const { db } = database;
    const { getLineage } = await import("@/lib/server/services/lineage");
    const { recordAudit, auditMeta } = await import("@/lib/server/services/audit");
    const { officer, ctx } = await benchOfficer(db);

    const bank = await insertApp(db, "Northwind Bank");
    const pay = await insertApp(db, "Northwind Pay");
    const toPay = await insertPartner(db, bank.id, "Northwind Pay", pay.didit);
    const toBank = await insertPartner(db, pay.id, "Northwind Bank", bank.didit);

    // The chain: s0 in Bank, s1 in Pay, s2 in Bank…
    const started = performance.now();
    const chain = Array.from({ length: hops + 1 }, () => randomUUID());
    await db.execute(
      sql`insert into session_mirror (application_id, didit_session_id, session_number, kind, status, didit_created_at)
          values (${bank.id}, ${chain[0]!}, 1, 'user', 'Approved', now() - interval '60 days')`,
    );
    for (let i = 1; i <= hops; i++) {
      const hop: Hop =
        i % 2 === 1 ? { from: bank, to: pay, partner: toPay } : { from: pay, to: bank, partner: toBank };
      await insertClones(db, hop, chain[i - 1]!, 1, officer.id, [chain[i]!]);
    }
    const chainRecords = await db.execute(
      sql`select s.id::text as share_id, i.id::text as import_id from shares s join inbox_items b on b.local_share_id = s.id join imports i on i.inbox_item_id = b.id`,
    );
    const rows = (
      Array.isArray(chainRecords) ? chainRecords : (chainRecords as { rows: unknown[] }).rows
    ) as {
      share_id: string;
      import_id: string;
    }[];
    for (const r of rows) {
      await db.transaction(async (tx) => {
        const meta = auditMeta(ctx());
        await recordAudit(tx, meta, {
          action: "share.created",
          entityType: "share",
          entityId: r.share_id,
          data: {},
        });
        await recordAudit(tx, meta, {
          action: "import.created",
          entityType: "import",
          entityId: r.import_id,
          data: {},
        });
      });
    }

    // The fan-out: one Bank session, `fanOut` clones in Pay.
    const fanSource = randomUUID();
    await db.execute(
      sql`insert into session_mirror (application_id, didit_session_id, session_number, kind, status, didit_created_at)
          values (${bank.id}, ${fanSource}, 2, 'user', 'Approved', now() - interval '60 days')`,
    );
    await insertClones(db, { from: bank, to: pay, partner: toPay }, fanSource, fanOut, officer.id);
    if (database.driver === "postgres") await db.execute(sql`analyze`);
    const oneClone = (await db.execute(
      sql`select clone_session_id::text as id from imports where source_session_id = ${fanSource} limit 1`,
    )) as { id: string }[] | { rows: { id: string }[] };
    const cloneId = (Array.isArray(oneClone) ? oneClone : oneClone.rows)[0]!.id;
    const setupMs = performance.now() - started;

    const scenarios: {
      name: string;
      ref: string;
      check: (g: Awaited<ReturnType<typeof getLineage>>) => string | null;
    }[] = [
      {
        name: `chain head (${hops} hops down)`,
        ref: chain[0]!,
        check: (g) =>
          g.nodes.length === hops + 1 && g.edges.length === 2 * hops ? null : `${g.nodes.length} nodes`,
      },
      {
        name: `chain tail (${hops} hops up)`,
        ref: chain[hops]!,
        check: (g) =>
          g.nodes.length === hops + 1 && Math.min(...g.nodes.map((n) => n.depth)) === -hops
            ? null
            : `${g.nodes.length} nodes`,
      },
      {
        name: "chain middle",
        ref: chain[Math.floor(hops / 2)]!,
        check: (g) => (g.nodes.length === hops + 1 ? null : `${g.nodes.length} nodes`),
      },
      {
        name: `fan-out source (${fanOut} clones)`,
        ref: fanSource,
        check: (g) => {
          const group = g.nodes.find((n) => n.group);
          if (fanOut <= 50) return g.nodes.length === fanOut + 1 ? null : `${g.nodes.length} nodes`;
          return group?.group?.count === fanOut - 50 && g.truncated ? null : `group ${group?.group?.count}`;
        },
      },
      {
        name: "fan-out, one clone",
        ref: cloneId,
        check: (g) => (g.nodes.length === 2 ? null : `${g.nodes.length} nodes`),
      },
    ];

    const results: { name: string; s: Stats; nodes: number; edges: number; bytes: number }[] = [];
    for (const sc of scenarios) {
      const first = await getLineage(ctx(), sc.ref);
      const problem = sc.check(first);
      if (problem) {
        console.error(`${sc.name}: unexpected graph (${problem})`);
        return 1;
      }
      for (let i = 0; i < WARM_UP; i++) await getLineage(ctx(), sc.ref);
      const ms: number[] = [];
      for (let i = 0; i < iterations; i++) {
        const t = performance.now();
        await getLineage(ctx(), sc.ref);
        ms.push(performance.now() - t);
      }
      results.push({
        name: sc.name,
        s: stats(ms),
        nodes: first.nodes.length,
        edges: first.edges.length,
        bytes: Buffer.byteLength(JSON.stringify(first)),
      });
    }

    const fmt = (n: number) => n.toFixed(1);
    console.log(
      `# lineage — ${database.driver} (${database.databaseName}), ${iterations} calls each, set-up ${fmt(setupMs / 1000)} s\n`,
    );
    console.log("| scenario | nodes | edges | JSON bytes | p50 ms | p95 ms | p99 ms | max ms |");
    console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (const r of results) {
      console.log(
        `| ${r.name} | ${r.nodes} | ${r.edges} | ${r.bytes} | ${fmt(r.s.p50)} | ${fmt(r.s.p95)} | ${fmt(r.s.p99)} | ${fmt(r.s.max)} |`,
      );
    }
    const worst = Math.max(...results.map((r) => r.s.p95));
    if (database.driver === "postgres" && worst > BUDGET_P95_MS) {
      console.error(`p95 ${fmt(worst)} ms is over the budget of ${BUDGET_P95_MS} ms`);
      return 1;
    }
    return 0;
  } finally {
    await database.close();
  }
}

runMain(main);
