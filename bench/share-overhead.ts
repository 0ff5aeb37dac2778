/**
 * What Handoff adds to a share: `POST /api/shares` through its route handler (session check,
 * validation, mirror and partner reads, policy, the Didit call, then one transaction with the share
 * row, its audit event and its job) against the same share sent straight to the sandbox over HTTP
 * (`POST /sandbox/v3/session/{id}/share/`), side by side in one run, at 1 and at 50 concurrent.
 *
 *   npx tsx --conditions=react-server bench/share-overhead.ts \
 *     [--requests 200] [--sessions 50] [--channel pickup|internal|manual] \
 *     [--database-url postgres://postgres@127.0.0.1:5432/postgres]
 *
 * The sandbox runs as a real HTTP server on 127.0.0.1 (test/sandbox-http.ts), and Handoff's Didit
 * client calls it there, so both sides pay the same HTTP round trip and sandbox work; the added
 * time is the difference. On PostgreSQL with --database-url (a database created on that server
 * and dropped afterwards), else an in-memory PGlite. Each level runs in 4 alternating rounds
 * (direct, Handoff, direct, …) so load drifting on a shared machine hits both sides alike.
 */
import { parseArgs } from "node:util";
import { percentile, runMain } from "./lib";
import {
  connectApplication,
  insertPartner,
  openSandboxBench,
  timed,
  installSandboxDiditClient,
} from "./world";

const USAGE =
  "Usage: bench/share-overhead.ts [--requests N] [--sessions N] [--channel pickup|internal|manual] [--database-url postgres://…]";
const ROUNDS = 4;

type Sample = { ms: number; ok: boolean };

async function inParallel(count: number, inFlight: number, one: (i: number) => Promise<Sample>) {
  const out: Sample[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(inFlight, count) }, async () => {
      while (next < count) out.push(await one(next++));
    }),
  );
  return out;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      requests: { type: "string", default: "200" },
      sessions: { type: "string", default: "50" },
      channel: { type: "string", default: "pickup" },
      "database-url": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const requests = Number(values.requests);
  const sessionCount = Number(values.sessions);
  const channel = values.channel as "pickup" | "internal" | "manual";
  if (
    ![requests, sessionCount].every((n) => Number.isInteger(n) && n > 0) ||
    !["pickup", "internal", "manual"].includes(channel)
  ) {
    console.error(USAGE);
    return 2;
  }

  const bench = await openSandboxBench({
    databaseUrl: values["database-url"],
    prefix: "handoff_bench_overhead",
    pool: 20,
  });
  try {
    const { createApplication } = await import("@/lib/server/sandbox/applications");
    const { createGeneratedSession } = await import("@/lib/server/sandbox/sessions");
    const { sandboxNow } = await import("@/lib/server/sandbox/clock");
    const schema = await import("@/lib/server/db/schema");
    const { insertUser, sessionCookie } = await import("@/test/session");
    const sharesRoute = await import("@/app/api/shares/route");
    const { db, server } = bench;
    // Handoff's Didit client, timed: how much of a share through Handoff is the call to Didit.
    const diditMs: number[] = [];
    await installSandboxDiditClient(server.origin, { maxRetries: 0 }, (client) => ({
      share: timed(client.share, diditMs),
    }));

    // The sandbox: Service X with finished sessions, Service Y the partner.
    const x = await createApplication(db, { name: "Northwind Bank", profile: "recipe" });
    const y = await createApplication(db, { name: "Northwind Pay", profile: "recipe" });
    const now = await sandboxNow(db);
    const xRow = await connectApplication(db, x, "Northwind Bank", { workflows: false });
    await connectApplication(db, y, "Northwind Pay", { workflows: false });
    const partnerId = await insertPartner(db, y, {
      name: "Northwind Pay",
      applicationId: xRow,
      direction: "both",
      deliveryChannel: channel,
    });
    const sessions: string[] = [];
    for (let i = 0; i < sessionCount; i++) {
      const s = await createGeneratedSession(db, {
        applicationId: x.application_id,
        kind: "user",
        status: "Approved",
        now,
      });
      sessions.push(s.id);
      await db.insert(schema.sessionMirror).values({
        applicationId: xRow,
        diditSessionId: s.id,
        sessionNumber: i + 1,
        kind: "user",
        status: "Approved",
        features: ["id_verifications", "liveness_checks", "face_matches"],
        diditCreatedAt: now,
      });
    }
    const officer = await insertUser(db, "officer");
    const cookie = await sessionCookie(officer, { db });

    const ttl = 3600;
    const direct = async (i: number): Promise<Sample> => {
      const sessionId = sessions[i % sessions.length]!;
      const started = performance.now();
      const res = await fetch(`${server.origin}/sandbox/v3/session/${sessionId}/share/`, {
        method: "POST",
        headers: { "x-api-key": x.api_key, "content-type": "application/json" },
        body: JSON.stringify({ for_application_id: y.application_id, ttl_in_seconds: ttl }),
      });
      await res.arrayBuffer();
      return { ms: performance.now() - started, ok: res.status === 201 || res.status === 200 };
    };
    const viaHandoff = async (i: number): Promise<Sample> => {
      const sessionId = sessions[i % sessions.length]!;
      const req = new Request("http://127.0.0.1/api/shares", {
        method: "POST",
        headers: { cookie, "content-type": "application/json", "user-agent": "bench" },
        body: JSON.stringify({ sessionId, partnerId, ttlSeconds: ttl }),
      });
      const started = performance.now();
      const res = await sharesRoute.POST(req);
      await res.arrayBuffer();
      return { ms: performance.now() - started, ok: res.status === 201 };
    };

    // Warm-up: the first requests of a process compile code and prepare queries.
    await inParallel(60, 4, direct);
    await inParallel(60, 4, viaHandoff);

    type Row = { level: number; direct: number[]; handoff: number[]; didit: number[]; failed: number };
    const rows: Row[] = [];
    for (const level of [1, 50]) {
      const row: Row = { level, direct: [], handoff: [], didit: [], failed: 0 };
      const perRound = Math.ceil(requests / ROUNDS);
      for (let r = 0; r < ROUNDS; r++) {
        const d = await inParallel(perRound, level, direct);
        diditMs.length = 0;
        const h = await inParallel(perRound, level, viaHandoff);
        row.didit.push(...diditMs);
        row.direct.push(...d.map((s) => s.ms));
        row.handoff.push(...h.map((s) => s.ms));
        row.failed += [...d, ...h].filter((s) => !s.ok).length;
      }
      rows.push(row);
    }

    console.log(
      `driver ${bench.driver}${bench.scratch ? ` (database ${bench.scratch.name})` : " (in memory)"}; channel ${channel}; ` +
        `${requests} requests per side per level, ${ROUNDS} alternating rounds; ${sessionCount} sessions`,
    );
    console.log(
      "| concurrent | direct p50 | direct p99 | Handoff p50 | Handoff p99 | added p50 | added p99 | Didit call inside Handoff p50 | failed |",
    );
    console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    let ok = true;
    for (const r of rows) {
      const d = [...r.direct].sort((a, b) => a - b);
      const h = [...r.handoff].sort((a, b) => a - b);
      const c = [...r.didit].sort((a, b) => a - b);
      const [d50, d99, h50, h99] = [
        percentile(d, 50),
        percentile(d, 99),
        percentile(h, 50),
        percentile(h, 99),
      ];
      console.log(
        `| ${r.level} | ${d50.toFixed(1)} ms | ${d99.toFixed(1)} ms | ${h50.toFixed(1)} ms | ${h99.toFixed(1)} ms | ` +
          `${(h50 - d50).toFixed(1)} ms | ${(h99 - d99).toFixed(1)} ms | ${percentile(c, 50).toFixed(1)} ms | ${r.failed} |`,
      );
      ok &&= r.failed === 0;
    }
    const [count] = await db.select({ n: schema.shares.id }).from(schema.shares).limit(1);
    if (!count) ok = false;
    return ok ? 0 : 1;
  } finally {
    await bench.close();
  }
}

runMain(main);
