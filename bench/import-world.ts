/**
 * What the import benchmarks share (bench/import-throughput.ts, bench/import-race.ts): one process
 * holding the Didit sandbox as a real HTTP server on 127.0.0.1 (test/sandbox-http.ts) and one
 * database for both (PostgreSQL: a scratch database created and dropped; else an in-memory PGlite).
 * We are Service Y ("Northwind Pay", connected, default import workflows set); a push partner
 * ("Service X", its own sandbox application) shares finished sessions with us; `item()` mints a
 * real token at the sandbox and receives it the way a signed push does (receiveToken), so an item
 * is exactly what the inbox holds. Handoff's Didit client is counted and timed around importShared.
 * The common set-up (configuration, database, sandbox server, rows, push) is bench/world.ts.
 */
import {
  benchOfficer,
  connectApplication,
  insertPartner,
  openSandboxBench,
  receivePushedShare,
  timed,
  installSandboxDiditClient,
} from "./world";

export type ImportWorld = Awaited<ReturnType<typeof importWorld>>;

export async function importWorld(opts: { databaseUrl?: string; prefix: string; pool?: number }) {
  const bench = await openSandboxBench({ ...opts, pool: opts.pool ?? 20 });
  try {
    const { createApplication } = await import("@/lib/server/sandbox/applications");
    const { createGeneratedSession } = await import("@/lib/server/sandbox/sessions");
    const { sandboxNow } = await import("@/lib/server/sandbox/clock");
    const schema = await import("@/lib/server/db/schema");
    const { db, server } = bench;

    // Handoff's client against the sandbox over HTTP, no limiter, never retried (as imports are).
    const didit = { calls: 0, ms: [] as number[] };
    await installSandboxDiditClient(server.origin, { maxRetries: 0 }, (client) => {
      const importShared = timed(client.importShared, didit.ms);
      return {
        importShared: (...args: Parameters<typeof client.importShared>) => {
          didit.calls++;
          return importShared(...args);
        },
      };
    });

    // The sandbox: the partner (Service X) with finished sessions, and us (Northwind Pay).
    const x = await createApplication(db, { name: "Service X", profile: "recipe" });
    const y = await createApplication(db, { name: "Northwind Pay", profile: "recipe" });
    const now = await sandboxNow(db);
    const yRow = await connectApplication(db, y, "Northwind Pay");
    const partnerId = await insertPartner(db, x, {
      name: "Service X",
      applicationId: yRow,
      direction: "inbound",
      deliveryChannel: "push",
      importMode: "manual",
      trustReview: false,
    });
    const { ctx } = await benchOfficer(db);

    /** A pending inbox item holding a real token for a fresh Approved KYC session of Service X. */
    const item = async (): Promise<string> => {
      const source = await createGeneratedSession(db, {
        applicationId: x.application_id,
        kind: "user",
        status: "Approved",
        now,
      });
      const received = await receivePushedShare(db, {
        origin: server.origin,
        from: x,
        forApplicationId: y.application_id,
        sessionId: source.id,
        kind: "user",
        features: ["ID_VERIFICATION", "LIVENESS", "FACE_MATCH"],
        partnerId,
        now,
      });
      return received.id;
    };

    /** Items made `inFlight` at a time (minting is set-up, not measured). */
    const items = async (count: number, inFlight = 8): Promise<string[]> => {
      const out: string[] = [];
      let made = 0;
      await Promise.all(
        Array.from({ length: Math.min(inFlight, count) }, async () => {
          while (made < count) {
            made++;
            out.push(await item());
          }
        }),
      );
      return out;
    };

    return {
      db,
      schema,
      driver: bench.driver,
      databaseName: bench.databaseName,
      ctx,
      didit,
      items,
      close: bench.close,
    };
  } catch (error) {
    await bench.close();
    throw error;
  }
}
