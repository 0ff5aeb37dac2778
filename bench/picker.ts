/**
 * Session picker benchmark: the service behind `GET /api/sessions` over a large session mirror.
 *
 *   npx tsx --conditions=react-server bench/picker.ts --driver postgres \
 *     --database-url postgres://postgres@127.0.0.1:5432/postgres [--rows 1000000] [--runs 200] [--explain] [--keep]
 *   npx tsx --conditions=react-server bench/picker.ts --driver pglite [--rows 100000] [--runs 200]
 *
 * Creates its own database (PostgreSQL: handoff_bench_picker_<time> on that server, dropped at the
 * end unless --keep; PGlite: in memory), applies the migrations, connects two applications and
 * fills the mirror with generate_series SQL: 60 % / 40 % over the two applications, 20 % KYB, every
 * status (weighted as a live application sees them), 60 × 60 first and last names, 40 company
 * stems, vendor_data `customer-0000042`, numbers per application from 1, one row every ~31 s.
 * Then it times `listSessions` (server time: the service call, its application lookup included)
 * for each scenario, after a warm-up, and prints p50/p95/p99. `--explain` prints each scenario's
 * plan (EXPLAIN ANALYZE, BUFFERS) once.
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { SessionListInput } from "@/lib/schemas/sessions";
import { foldSearch, foldSearchExpanded } from "@/lib/search-fold";
import { migratePostgresUrl, openPglite } from "@/lib/server/db/open";
import * as schema from "@/lib/server/db/schema";
import { connectedApplications } from "@/lib/server/db/schema/sharing";
import type { Db } from "@/lib/server/db/types";
import { rowsOf } from "@/lib/server/db/types";
import type { ServiceContext } from "@/lib/server/kernel";
import { mirrorSearchText } from "@/lib/server/services/sessions";
import { listSessions } from "@/lib/server/services/sessions";
import { createScratchDatabase, percentile, runMain } from "./lib";

const USAGE =
  "Usage: bench/picker.ts --driver postgres|pglite [--database-url postgres://…] [--rows N] [--runs N] [--explain] [--keep]";

const FIRST = [
  "Ana",
  "Jonas",
  "Li",
  "Amara",
  "Anders",
  "Sofia",
  "Mateo",
  "Chloé",
  "Lukas",
  "Fatima",
  "Noah",
  "Emma",
  "Oliver",
  "Mia",
  "Elias",
  "Lea",
  "Yusuf",
  "Aisha",
  "Marco",
  "Giulia",
  "Pierre",
  "Camille",
  "Jan",
  "Zofia",
  "Mikael",
  "Ingrid",
  "Tomás",
  "Lucía",
  "Kenji",
  "Yuki",
  "Wei",
  "Mei",
  "Ravi",
  "Priya",
  "Omar",
  "Layla",
  "Ivan",
  "Olga",
  "Kwame",
  "Ama",
  "Daniel",
  "Sarah",
  "David",
  "Hannah",
  "Samuel",
  "Leah",
  "Ethan",
  "Ava",
  "Lars",
  "Freja",
  "Hugo",
  "Inès",
  "Felix",
  "Clara",
  "Pablo",
  "Marta",
  "Nikos",
  "Eleni",
  "Sean",
  "Aoife",
];
const LAST = [
  "García",
  "Müller",
  "Wei",
  "Okafor",
  "Lund",
  "Rossi",
  "Fernández",
  "Dubois",
  "Schmidt",
  "Haddad",
  "Smith",
  "Johnson",
  "Brown",
  "Martin",
  "Weber",
  "Wagner",
  "Yilmaz",
  "Khan",
  "Bianchi",
  "Romano",
  "Lefebvre",
  "Moreau",
  "Kowalski",
  "Nowak",
  "Nieminen",
  "Hansen",
  "Silva",
  "Santos",
  "Tanaka",
  "Sato",
  "Chen",
  "Wang",
  "Patel",
  "Sharma",
  "Hassan",
  "Ali",
  "Ivanov",
  "Petrova",
  "Mensah",
  "Boateng",
  "Cohen",
  "Levi",
  "Novak",
  "Horvat",
  "Jensen",
  "Nielsen",
  "O'Brien",
  "Murphy",
  "Berg",
  "Lindqvist",
  "Costa",
  "Pereira",
  "Meyer",
  "Fischer",
  "Ruiz",
  "Navarro",
  "Papadopoulos",
  "Georgiou",
  "Byrne",
  "Walsh",
];
const COMPANY = [
  "Acme",
  "Globex",
  "Initech",
  "Umbrella",
  "Stark",
  "Wayne",
  "Wonka",
  "Tyrell",
  "Cyberdyne",
  "Soylent",
  "Nordwind",
  "Alpenrose",
  "Baltic",
  "Cedar",
  "Delta",
  "Ember",
  "Fjord",
  "Granite",
  "Harbor",
  "Iris",
  "Juniper",
  "Kestrel",
  "Lumen",
  "Meridian",
  "Nimbus",
  "Orchid",
  "Pioneer",
  "Quarry",
  "Riverside",
  "Summit",
  "Tidal",
  "Vertex",
  "Willow",
  "Zenith",
  "Aurora",
  "Beacon",
  "Cobalt",
  "Dune",
  "Echo",
  "Falcon",
];
const SUFFIX = ["GmbH", "Ltd", "SA", "BV", "AB", "Srl", "SAS", "Oy"];
const COUNTRIES = ["DEU", "FRA", "ESP", "ITA", "NLD", "SWE", "GBR", "IRL", "POL", "PRT", "USA", "CAN"];
const DOCS = ["Passport", "Identity Card", "Driver's License", "Residence Permit"];

const lit = (xs: string[]) => `array[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(",")}]::text[]`;

/** Which element of a name list row `i` takes: company, company's last name, suffix, first, last. */
const PICK: Record<string, (len: number) => string> = {
  c: (len) => `1 + (i * 13) % ${len}`,
  l: (len) => `1 + (i * 17) % ${len}`,
  s: (len) => `1 + (i * 5) % ${len}`,
  f: (len) => `1 + (i * 31) % ${len}`,
  pl: (len) => `1 + ((i * 7) / 3) % ${len}`,
};
const part = (xs: string[], which: keyof typeof PICK) => `(${lit(xs)})[${PICK[which]!(xs.length)}]`;

/**
 * One statement: `n` mirror rows over two applications (60/40), ids and created times ascending.
 * `search_text` is what `mirrorSearchText` writes (the fold is per letter, so the folded parts
 * joined are the folded whole); the run checks a sample of rows against it before timing.
 */
function generateSql(n: number, appA: string, appB: string): string {
  return `
insert into session_mirror (application_id, didit_session_id, session_number, kind, status, vendor_data,
  display_name, country, document_type, registration_number, workflow_id, features, didit_created_at,
  shared_from_session, search_text)
select
  case when i % 5 < 3 then '${appA}'::uuid else '${appB}'::uuid end,
  gen_random_uuid(),
  case when i % 5 < 3 then (i / 5) * 3 + (i % 5) + 1 else (i / 5) * 2 + (i % 5) - 2 end,
  kind, status, vendor, name,
  (${lit(COUNTRIES)})[1 + (i * 7) % ${COUNTRIES.length}],
  case when kind = 'user' then (${lit(DOCS)})[1 + (i * 3) % ${DOCS.length}] end,
  case when kind = 'business' then 'HRB ' || (100000 + i) end,
  null, null,
  date_trunc('milliseconds', timestamptz '2026-11-30 12:00:00+00' - (${n} - i) * interval '31.4 seconds'),
  case when i % 97 = 0 then gen_random_uuid() end,
  plain || case when expanded <> plain then ' ' || expanded else '' end
from (
  select *,
    plain_name || case when kind = 'business' then ' hrb ' || (100000 + i) else '' end as plain,
    expanded_name || case when kind = 'business' then ' hrb ' || (100000 + i) else '' end as expanded
  from (
  select i, kind, status, vendor,
    case when kind = 'business' then ${part(COMPANY, "c")} || ' ' || ${part(LAST, "l")} || ' ' || ${part(SUFFIX, "s")}
      else ${part(FIRST, "f")} || ' ' || ${part(LAST, "pl")} end as name,
    case when kind = 'business' then ${part(COMPANY.map(foldSearch), "c")} || ' ' || ${part(LAST.map(foldSearch), "l")} || ' ' || ${part(SUFFIX.map(foldSearch), "s")}
      else ${part(FIRST.map(foldSearch), "f")} || ' ' || ${part(LAST.map(foldSearch), "pl")} end as plain_name,
    case when kind = 'business' then ${part(COMPANY.map(foldSearchExpanded), "c")} || ' ' || ${part(LAST.map(foldSearchExpanded), "l")} || ' ' || ${part(SUFFIX.map(foldSearchExpanded), "s")}
      else ${part(FIRST.map(foldSearchExpanded), "f")} || ' ' || ${part(LAST.map(foldSearchExpanded), "pl")} end as expanded_name
  from (
  select i,
    case when i % 5 = 4 then 'business' else 'user' end as kind,
    case
      when h < 45 then 'Approved' when h < 55 then 'Declined' when h < 65 then 'In Review'
      when h < 72 then 'Not Started' when h < 80 then 'In Progress' when h < 84 then 'Awaiting User'
      when h < 88 then 'Abandoned' when h < 92 then 'Expired' when h < 95 then 'Resubmitted'
      else 'Kyc Expired' end as status,
    'customer-' || lpad(i::text, 7, '0') as vendor
  from (select i, (i * 2654435761) % 100 as h from generate_series(1, ${n}) as g(i)) s
  ) u
  ) v
) t`;
}

type Scenario = { name: string; input: () => SessionListInput };

const pick = <T>(xs: readonly T[]) => xs[Math.floor(Math.random() * xs.length)]!;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      driver: { type: "string", default: "postgres" },
      "database-url": { type: "string" },
      rows: { type: "string" },
      runs: { type: "string", default: "200" },
      explain: { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const driver = values.driver;
  const rows = Number(values.rows ?? (driver === "pglite" ? 100_000 : 1_000_000));
  const runs = Number(values.runs);
  if (
    (driver !== "postgres" && driver !== "pglite") ||
    !Number.isInteger(rows) ||
    rows < 100 ||
    !(runs >= 1)
  ) {
    console.error(USAGE);
    return 2;
  }
  if (driver === "postgres" && !values["database-url"]) {
    console.error(USAGE);
    return 2;
  }

  // The last statement drizzle sent, to EXPLAIN it with its parameters.
  let last: { query: string; params: unknown[] } | null = null;
  const logger = { logQuery: (query: string, params: unknown[]) => (last = { query, params }) };
  let db: Db;
  let explainRaw: (q: string, params: unknown[]) => Promise<string[]>;
  let cleanup: () => Promise<void>;
  if (driver === "postgres") {
    const scratch = await createScratchDatabase(values["database-url"]!, "handoff_bench_picker");
    await migratePostgresUrl(scratch.url);
    const client = postgres(scratch.url, { max: 4, onnotice: () => undefined });
    db = drizzlePostgres({ client, schema, logger }) as unknown as Db;
    explainRaw = async (q, params) =>
      (await client.unsafe(`explain (analyze, buffers) ${q}`, params as never[])).map(
        (r) => (r as Record<string, string>)["QUERY PLAN"]!,
      );
    cleanup = async () => {
      await client.end({ timeout: 5 });
      await scratch.drop(values.keep);
    };
  } else {
    const handle = await openPglite(null);
    const client = (handle.db as unknown as { $client: import("@electric-sql/pglite").PGlite }).$client;
    db = drizzlePglite({ client, schema, logger }) as unknown as Db;
    explainRaw = async (q, params) =>
      (await client.query<Record<string, string>>(`explain (analyze, buffers) ${q}`, params)).rows.map(
        (r) => r["QUERY PLAN"]!,
      );
    cleanup = () => handle.close();
  }

  try {
    const appA = randomUUID();
    const appB = randomUUID();
    await db.insert(connectedApplications).values([
      { id: appA, name: "Northwind Bank", diditApplicationId: randomUUID(), environment: "sandbox" },
      { id: appB, name: "Northwind Pay", diditApplicationId: randomUUID(), environment: "sandbox" },
    ]);
    console.log(`${driver}: generating ${rows.toLocaleString("en")} mirror rows…`);
    const t0 = performance.now();
    // PGlite holds the whole statement in memory: batches of 100k keep it small.
    const batch = driver === "pglite" ? 100_000 : rows;
    for (let from = 0; from < rows; from += batch) {
      const n = Math.min(batch, rows - from);
      const stmt = generateSql(rows, appA, appB).replace(
        `generate_series(1, ${rows})`,
        `generate_series(${from + 1}, ${from + n})`,
      );
      await db.execute(sql.raw(stmt));
    }
    // The generated search text must be what the product writes, or the timings mean nothing.
    const sample = rowsOf<{ name: string; reg: string | null; text: string }>(
      await db.execute(
        sql.raw(
          "select display_name as name, registration_number as reg, search_text as text from session_mirror order by random() limit 2000",
        ),
      ),
    );
    const wrong = sample.filter(
      (r) => r.text !== mirrorSearchText({ displayName: r.name, registrationNumber: r.reg }),
    );
    if (sample.length === 0 || wrong.length > 0) {
      throw new Error(
        `generated search_text differs from mirrorSearchText: ${JSON.stringify(wrong.slice(0, 3))}`,
      );
    }
    await db.execute(sql.raw("vacuum analyze session_mirror"));
    console.log(`  done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const uuids = rowsOf<{ id: string }>(
      await db.execute(
        sql.raw("select didit_session_id as id from session_mirror tablesample system (1) limit 500"),
      ),
    ).map((r) => r.id);
    const ctx: ServiceContext = {
      db,
      actor: { id: randomUUID(), email: "bench@local", name: "Bench", role: "auditor" },
      now: () => new Date(),
      requestId: "bench",
      ip: null,
      userAgent: null,
    };
    const firstPage = await listSessions(ctx, { limit: 50 });
    const cursorOf = async (input: SessionListInput) => {
      const page = await listSessions(ctx, input);
      if (!page.nextCursor) throw new Error("no second page");
      const json = JSON.parse(Buffer.from(page.nextCursor, "base64url").toString()) as {
        t: string;
        i: string;
      };
      return { createdAt: new Date(json.t), id: json.i };
    };
    const secondCursor = await cursorOf({ limit: 50 });
    void firstPage;
    const NAME_FRAGMENTS = [
      "garc",
      "müller",
      "okafor",
      "sofia",
      "lindq",
      "tanaka",
      "acme",
      "zenith gm",
      "ana gar",
      "walsh",
    ];
    // Spellings without accents or with transliterations ("mueller" finds Müller).
    const FOLDED_FRAGMENTS = ["muller", "mueller", "GARCIA", "chloe", "fernandez", "lucia", "ines", "tomas"];
    const scenarios: Scenario[] = [
      { name: "first page (all applications, finished)", input: () => ({ limit: 50 }) },
      {
        name: "first page (one application, KYB, finished)",
        input: () => ({ limit: 50, applicationId: appB, kind: "business" }),
      },
      { name: "first page (all statuses)", input: () => ({ limit: 50, finished: false }) },
      { name: "first page (status Kyc Expired)", input: () => ({ limit: 50, status: ["Kyc Expired"] }) },
      { name: "next page (cursor)", input: () => ({ limit: 50, cursor: secondCursor }) },
      { name: "search: name fragment", input: () => ({ limit: 50, q: pick(NAME_FRAGMENTS) }) },
      {
        name: "search: folded spelling (mueller, GARCIA…)",
        input: () => ({ limit: 50, q: pick(FOLDED_FRAGMENTS) }),
      },
      {
        name: "search: vendor_data",
        input: () => ({
          limit: 50,
          q: `customer-${String(1 + Math.floor(Math.random() * rows)).padStart(7, "0")}`,
        }),
      },
      {
        name: "search: number prefix (4 digits)",
        input: () => ({ limit: 50, q: String(1000 + Math.floor(Math.random() * 9000)) }),
      },
      {
        name: "search: number prefix (2 digits)",
        input: () => ({ limit: 50, q: String(10 + Math.floor(Math.random() * 90)) }),
      },
      { name: "search: two letters, rare (xq)", input: () => ({ limit: 50, q: "xq" }) },
      {
        name: "search: two letters, a name's start",
        input: () => ({ limit: 50, q: pick(["li", "an", "ol", "yu", "ze"]) }),
      },
      { name: "search: whole session uuid", input: () => ({ limit: 50, q: pick(uuids), finished: false }) },
    ];

    const results: { name: string; p50: number; p95: number; p99: number; max: number; rows: number }[] = [];
    for (const s of scenarios) {
      for (let i = 0; i < 20; i++) await listSessions(ctx, s.input());
      if (values.explain) {
        await listSessions(ctx, s.input());
        const q = last as { query: string; params: unknown[] } | null;
        if (q) {
          console.log(`\n--- ${s.name}\n${q.query}\n${JSON.stringify(q.params)}`);
          console.log((await explainRaw(q.query, q.params)).join("\n"));
        }
      }
      const times: number[] = [];
      let count = 0;
      for (let i = 0; i < runs; i++) {
        const input = s.input();
        const started = performance.now();
        const page = await listSessions(ctx, input);
        times.push(performance.now() - started);
        count += page.items.length;
      }
      times.sort((a, b) => a - b);
      const r = {
        name: s.name,
        p50: percentile(times, 50),
        p95: percentile(times, 95),
        p99: percentile(times, 99),
        max: times.at(-1)!,
        rows: Math.round(count / runs),
      };
      results.push(r);
      console.log(
        `${r.name.padEnd(46)} p50 ${r.p50.toFixed(2).padStart(7)} ms  p95 ${r.p95.toFixed(2).padStart(7)} ms  p99 ${r.p99.toFixed(2).padStart(7)} ms  max ${r.max.toFixed(1).padStart(7)} ms  (${r.rows} rows/page)`,
      );
    }
    console.log(`\n| scenario | rows/page | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|---|`);
    for (const r of results) {
      console.log(
        `| ${r.name} | ${r.rows} | ${r.p50.toFixed(2)} | ${r.p95.toFixed(2)} | ${r.p99.toFixed(2)} |`,
      );
    }
    return 0;
  } finally {
    await cleanup();
  }
}

runMain(main, { stack: true });
