/**
 * Partner trust analytics at volume (issue 9 §4): `getAnalytics(ctx, query)` as
 * `GET /api/analytics` calls it, over a year of records written directly into the database:
 * 20 partners on two applications, 10,000 shares (receipts, expiries), 10,000 received tokens with
 * their 10,000 imports (a tenth failed), 3,000 reviewer decisions, 500 recall notices and 500
 * inbound recalls. Asked for the whole year by week, the last 90 days by day, one partner, and one
 * application by month.
 *
 *   npx tsx --conditions=react-server bench/analytics.ts \
 *     [--iterations 100] [--shares 10000] [--imports 10000] \
 *     [--database-url postgres://postgres@127.0.0.1:5432/postgres]
 *
 * On PostgreSQL with --database-url (a scratch database, dropped afterwards), else in-memory PGlite.
 * Sequential calls after 10 warm-up calls. Exits 1 if the totals do not match what was written, or
 * if a p95 on PostgreSQL is over the budget.
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { sql, type SQL } from "drizzle-orm";
import { rowsOf } from "@/lib/server/db/types";
import type { AnalyticsQuery } from "@/lib/schemas/analytics";
import { percentile, runMain } from "./lib";
import { benchOfficer, configureBench, openBenchDatabase } from "./world";

const USAGE =
  "Usage: bench/analytics.ts [--iterations N] [--shares N] [--imports N] [--database-url postgres://…] [--plan]";
const WARM_UP = 10;
const PARTNERS = 20;
const BUDGET_P95_MS = 250;
const DAY_MS = 86_400_000;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      iterations: { type: "string", default: "100" },
      shares: { type: "string", default: "10000" },
      imports: { type: "string", default: "10000" },
      "database-url": { type: "string" },
      /** Print the first case's query plans (EXPLAIN ANALYZE). */
      plan: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const iterations = Number(values.iterations);
  const shareCount = Number(values.shares);
  const importCount = Number(values.imports);
  if (![iterations, shareCount, importCount].every((n) => Number.isInteger(n) && n > 0)) {
    console.error(USAGE);
    return 2;
  }

  configureBench();
  const database = await openBenchDatabase({
    databaseUrl: values["database-url"],
    prefix: "bench_analytics",
    pool: 4,
  });
  try {
    const { db } = database;
    const { analyticsStatements, getAnalytics } = await import("@/lib/server/services/operations");
    const { officer, ctx } = await benchOfficer(db);

    const started = performance.now();
    const apps = [randomUUID(), randomUUID()];
    for (const [i, id] of apps.entries()) {
      await db.execute(
        sql`insert into connected_applications (id, name, didit_application_id, environment)
            values (${id}, ${`Bench application ${i + 1}`}, ${randomUUID()}, 'sandbox')`,
      );
    }
    const partnerIds = Array.from({ length: PARTNERS }, () => randomUUID());
    for (const [i, id] of partnerIds.entries()) {
      await db.execute(
        sql`insert into partners (id, name, didit_application_id, application_id, direction, allowed_kinds, allowed_statuses, delivery_channel)
            values (${id}, ${`Partner ${String(i + 1).padStart(2, "0")}`}, ${randomUUID()}, ${apps[i % 2]!}, 'both',
              '["user","business"]', '["Approved","Declined","In Review"]', 'push')`,
      );
    }
    // Generated UUIDs only: safe as a literal array.
    const partnerArray = sql.raw(`array[${partnerIds.map((id) => `'${id}'`).join(",")}]::uuid[]`);
    const pick = sql`(${partnerArray})[(g % ${PARTNERS}) + 1]`;
    // Spread over the last 364 days, at varied times of day.
    const when = sql`now() - ((g % 364) * interval '1 day') - ((g * 37 % 86400) * interval '1 second')`;

    await db.execute(sql`
      insert into shares (application_id, partner_id, session_id, session_kind, source_status, for_application_id,
        ttl_seconds, token_hash, claims, issued_at, expires_at, channel, state, delivered_at, manifest, agreement,
        receipt_status, receipt_at, created_at, updated_at)
      select p.application_id, p.id, gen_random_uuid(), 'user', 'Approved', gen_random_uuid(), 3600,
        'bench-share-' || g, '{}'::jsonb, x.t, x.t + interval '1 hour', 'push',
        case when g % 10 = 0 then 'expired' else 'delivered' end,
        case when g % 10 = 0 then null else x.t + interval '5 seconds' end,
        '{"session_number":1,"status":"Approved","created_at":null,"features":[],"agreement_reference":null}'::jsonb,
        '{"reference":null,"signedOn":null,"expiresOn":null,"partnerStatus":"active"}'::jsonb,
        case when g % 10 = 0 or g % 3 = 0 then null when g % 7 = 0 then 'rejected' else 'imported' end,
        case when g % 10 = 0 or g % 3 = 0 then null else x.t + ((g % 3600) * interval '1 second') end,
        x.t, x.t
      from generate_series(1, ${shareCount}) g
      cross join lateral (select ${when} as t) x
      join partners p on p.id = ${pick}`);

    await db.execute(sql`
      insert into inbox_items (application_id, partner_id, source, token_hash, claims, manifest, session_kind,
        source_session_id, from_application_id, expires_at, state, received_at, updated_at)
      select p.application_id, p.id, 'push', 'bench-item-' || g,
        jsonb_build_object('iat', floor(extract(epoch from x.t)) - 30 - (g % 600)),
        jsonb_build_object('session_number', g, 'status', case when g % 5 = 0 then 'Declined' else 'Approved' end,
          'created_at', null, 'features', '[]'::jsonb, 'agreement_reference', null),
        'user', gen_random_uuid(), gen_random_uuid(), x.t + interval '1 hour',
        case when g % 10 = 0 then 'failed' else 'imported' end, x.t, x.t
      from generate_series(1, ${importCount}) g
      cross join lateral (select ${when} as t) x
      join partners p on p.id = ${pick}`);

    await db.execute(sql`
      insert into imports (inbox_item_id, application_id, partner_id, source_session_id, session_kind,
        clone_session_id, trust_review, workflow_id, vendor_data, status_at_import, status, state, failure_code,
        imported_by, started_at, finished_at)
      select i.id, i.application_id, i.partner_id, i.source_session_id, 'user',
        case when i.state = 'imported' then gen_random_uuid() end,
        (i.received_at::date - date '2000-01-01') % 4 = 0, gen_random_uuid(), 'handoff-' || i.id,
        case when i.state = 'imported' then 'In Review' end, case when i.state = 'imported' then 'In Review' end,
        i.state, case when i.state = 'failed' then 'token_expired' end, ${officer.id},
        i.received_at, i.received_at + ((abs(hashtext(i.token_hash)) % 1800) * interval '1 second')
      from inbox_items i where i.token_hash like 'bench-item-%'`);

    // 3 in 10 imports decided: mostly Declined (confirmed or sent), some Approved.
    await db.execute(sql`
      insert into import_decisions (import_id, status, comment, state, decided_by, decided_at)
      select m.id, case when n % 3 = 0 then 'Approved' else 'Declined' end, 'bench',
        case when n % 2 = 0 then 'confirmed' else 'sent' end, ${officer.id}, m.finished_at + interval '1 hour'
      from (select m.*, row_number() over (order by m.id) as n from imports m where m.state = 'imported') m
      where n % 10 < 3`);

    const [recall] = rowsOf<{ id: string }>(
      await db.execute(sql`
        insert into recalls (application_id, session_id, trigger, reason, source, raised_at)
        values (${apps[0]!}, gen_random_uuid(), 'declined', 'bench', 'webhook', now()) returning id`),
    );
    await db.execute(sql`
      insert into recall_notices (recall_id, share_id, partner_id, channel, state, created_at, updated_at)
      select ${recall!.id}, s.id, s.partner_id, 'push', 'sent', s.created_at, s.created_at
      from shares s where s.token_hash like 'bench-share-%' order by s.id limit 500`);
    await db.execute(sql`
      insert into inbound_recalls (partner_id, remote_recall_id, source_session_id, trigger, reason, recalled_at, received_at)
      select ${pick}, gen_random_uuid(), gen_random_uuid(), 'declined', 'bench', ${when}, ${when}
      from generate_series(1, 500) g`);
    await db.execute(sql`analyze`);
    const setupMs = performance.now() - started;

    const today = new Date();
    const day = (offset: number) => new Date(today.getTime() - offset * DAY_MS).toISOString().slice(0, 10);
    const cases: { label: string; query: AnalyticsQuery }[] = [
      { label: "365 days by week, all partners", query: { from: day(364), to: day(0), bucket: "week" } },
      { label: "90 days by day, all partners", query: { from: day(89), to: day(0), bucket: "day" } },
      {
        label: "365 days by week, one partner",
        query: { from: day(364), to: day(0), bucket: "week", partnerId: partnerIds[3] },
      },
      {
        label: "365 days by month, one application",
        query: { from: day(364), to: day(0), bucket: "month", applicationId: apps[1] },
      },
    ];

    // The figures answer what was written (a year covers every row).
    const year = await getAnalytics(ctx(), cases[0]!.query);
    const expected = {
      partners: PARTNERS,
      shared: shareCount,
      received: importCount,
      imported: importCount - Math.floor(importCount / 10),
      recallsSent: Math.min(500, shareCount),
      recallsReceived: 500,
    };
    const got = {
      partners: year.partners.length,
      shared: year.totals.shared,
      received: year.totals.received,
      imported: year.totals.imported,
      recallsSent: year.totals.recallsSent,
      recallsReceived: year.totals.recallsReceived,
    };
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      console.error(`unexpected totals: ${JSON.stringify(got)}, wrote ${JSON.stringify(expected)}`);
      return 1;
    }

    if (values.plan) {
      const statements = analyticsStatements(cases[0]!.query, new Date());
      for (const q of [statements.figures, statements.series]) {
        const plan = rowsOf<Record<string, string>>(await db.execute(sql`explain (analyze, buffers) ${q}`));
        console.log(`${plan.map((r) => Object.values(r)[0]).join("\n")}\n`);
      }
    }
    console.log(`Partner trust analytics on ${database.driver} (${database.databaseName})`);
    console.log(
      `${PARTNERS} partners, ${shareCount} shares, ${importCount} received tokens and imports, ` +
        `${year.totals.override.approvedImports} approved imports (${year.totals.override.declined} overridden), ` +
        `1000 recalls; written in ${(setupMs / 1000).toFixed(1)} s`,
    );
    console.log(`${iterations} sequential calls per case after ${WARM_UP} warm-up calls\n`);
    console.log("| case | p50 ms | p95 ms | max ms | PostgreSQL execution ms (figures + series) |");
    console.log("| --- | ---: | ---: | ---: | ---: |");
    let over = false;
    for (const c of cases) {
      for (let i = 0; i < WARM_UP; i++) await getAnalytics(ctx(), c.query);
      const ms: number[] = [];
      for (let i = 0; i < iterations; i++) {
        const t0 = performance.now();
        await getAnalytics(ctx(), c.query);
        ms.push(performance.now() - t0);
      }
      ms.sort((a, b) => a - b);
      const p95 = percentile(ms, 95);
      if (database.driver === "postgres" && p95 > BUDGET_P95_MS) over = true;
      // The database's own time for each statement (EXPLAIN ANALYZE), against the round trip above.
      const statements = analyticsStatements(c.query, new Date());
      const exec = async (q: SQL) => {
        const plan = rowsOf<Record<string, unknown>>(
          await db.execute(sql`explain (analyze, format json) ${q}`),
        );
        const json = Object.values(plan[0]!)[0];
        const parsed = (typeof json === "string" ? JSON.parse(json) : json) as { "Execution Time": number }[];
        return parsed[0]!["Execution Time"];
      };
      const server = `${(await exec(statements.figures)).toFixed(1)} + ${(await exec(statements.series)).toFixed(1)}`;
      console.log(
        `| ${c.label} | ${percentile(ms, 50).toFixed(1)} | ${p95.toFixed(1)} | ${ms[ms.length - 1]!.toFixed(1)} | ${server} |`,
      );
    }
    if (over) {
      console.error(`\np95 over the ${BUDGET_P95_MS} ms budget`);
      return 1;
    }
    return 0;
  } finally {
    await database.close();
  }
}

runMain(main);
