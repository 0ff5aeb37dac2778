/**
 * What the import benchmarks share (bench/import-throughput.ts, bench/import-race.ts): one process
 * holding the Didit sandbox as a real HTTP server on 127.0.0.1 (test/sandbox-http.ts) and one
 * database for both (PostgreSQL: a scratch database created and dropped; else an in-memory PGlite).
 * We are Service Y ("Northwind Pay", connected, default import workflows set); a push partner
 * ("Service X", its own sandbox application) shares finished sessions with us; `item()` mints a
 * real token at the sandbox and receives it the way a signed push does (receiveToken), so an item
 * is exactly what the inbox holds. Handoff's Didit client is counted and timed around importShared.
 *
 * The test kits (test/sharing-world.ts, imports.test-kit.ts) import vitest, which a tsx script
 * cannot load, hence this small copy of their set-up.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { decodeJwt } from "jose";
import { createScratchDatabase } from "./lib";

export type ImportWorld = Awaited<ReturnType<typeof importWorld>>;

/** Configuration before the first module reads it (getEnv parses process.env once, lazily). */
function configure() {
  Object.assign(process.env, {
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    HANDOFF_DATA_DIR: mkdtempSync(path.join(tmpdir(), "handoff-bench-")),
    SANDBOX_ENABLED: "true",
    SANDBOX_RATE_LIMIT_ENABLED: "false",
    DIDIT_RATE_LIMIT_ENABLED: "false",
    SANDBOX_JWT_SECRET: randomBytes(32).toString("base64"),
    SANDBOX_ADMIN_TOKEN: randomBytes(32).toString("base64url"),
  });
}

export async function importWorld(opts: { databaseUrl?: string; prefix: string; pool?: number }) {
  configure();
  const { setDatabase } = await import("@/lib/server/db/client");
  const { migratePostgresUrl, openPglite, openPostgres } = await import("@/lib/server/db/open");
  const { migrateSandbox } = await import("@/lib/server/sandbox/migrate");
  const { createApplication } = await import("@/lib/server/sandbox/applications");
  const { createGeneratedSession } = await import("@/lib/server/sandbox/sessions");
  const { sandboxNow } = await import("@/lib/server/sandbox/clock");
  const { seal } = await import("@/lib/server/crypto/envelope");
  const schema = await import("@/lib/server/db/schema");
  const { createDiditClient, setDiditClientForTests } = await import("@/lib/server/didit");
  const { partnerMeta, receiveToken } = await import("@/lib/server/services/inbox");
  const { systemContext } = await import("@/lib/server/services/context");
  const { startSandboxServer } = await import("@/test/sandbox-http");
  const { insertUser } = await import("@/test/session");

  const scratch = opts.databaseUrl ? await createScratchDatabase(opts.databaseUrl, opts.prefix) : null;
  let handle: Awaited<ReturnType<typeof openPglite>>;
  if (scratch) {
    await migratePostgresUrl(scratch.url);
    handle = openPostgres(scratch.url, { max: opts.pool ?? 20 });
  } else {
    handle = await openPglite(null);
  }
  const server = await startSandboxServer();
  const db = handle.db;
  await migrateSandbox(db);
  setDatabase(handle);

  // Handoff's client against the sandbox over HTTP, no limiter, never retried (as imports are).
  const client = createDiditClient({
    baseUrl: () => `${server.origin}/sandbox`,
    limiter: false,
    maxRetries: 0,
  });
  const didit = { calls: 0, ms: [] as number[] };
  setDiditClientForTests({
    ...client,
    importShared: async (...args: Parameters<typeof client.importShared>) => {
      didit.calls++;
      const started = performance.now();
      try {
        return await client.importShared(...args);
      } finally {
        didit.ms.push(performance.now() - started);
      }
    },
  });

  // The sandbox: the partner (Service X) with finished sessions, and us (Northwind Pay).
  const x = await createApplication(db, { name: "Service X", profile: "recipe" });
  const y = await createApplication(db, { name: "Northwind Pay", profile: "recipe" });
  const now = await sandboxNow(db);
  const yRow = randomUUID();
  await db.insert(schema.connectedApplications).values({
    id: yRow,
    name: "Northwind Pay",
    diditApplicationId: y.application_id,
    environment: "sandbox",
    apiKeyCiphertext: seal(y.api_key, yRow),
    apiKeyLast4: y.api_key.slice(-4),
    defaultWorkflowUser: y.workflows.user,
    defaultWorkflowBusiness: y.workflows.business,
  });
  const partnerId = randomUUID();
  await db.insert(schema.partners).values({
    id: partnerId,
    name: "Service X",
    diditApplicationId: x.application_id,
    applicationId: yRow,
    direction: "inbound",
    agreementReference: "DSA-BENCH",
    agreementSignedOn: "2026-01-01",
    agreementExpiresOn: "2099-12-31",
    allowedKinds: ["user", "business"],
    allowedStatuses: ["Approved", "Declined", "In Review"],
    deliveryChannel: "push",
    importMode: "manual",
    trustReview: false,
  });
  const officer = await insertUser(db, "officer");
  const ctx = () => ({
    db,
    actor: { id: officer.id, email: officer.email, name: "Officer", role: "officer" as const },
    now: () => new Date(),
    requestId: `bench-${randomUUID()}`,
    ip: null,
    userAgent: "bench",
  });

  /** A pending inbox item holding a real token for a fresh Approved KYC session of Service X. */
  const item = async (): Promise<string> => {
    const source = await createGeneratedSession(db, {
      applicationId: x.application_id,
      kind: "user",
      status: "Approved",
      now,
    });
    const res = await fetch(`${server.origin}/sandbox/v3/session/${source.id}/share/`, {
      method: "POST",
      headers: { "x-api-key": x.api_key, "content-type": "application/json" },
      body: JSON.stringify({ for_application_id: y.application_id, ttl_in_seconds: 3600 }),
    });
    if (res.status !== 201) throw new Error(`share answered ${res.status}: ${await res.text()}`);
    const { share_token: token } = (await res.json()) as { share_token: string };
    const expiresAt = new Date(Number(decodeJwt(token).exp) * 1000).toISOString();
    const sys = systemContext(db);
    const { item } = await receiveToken(sys, partnerMeta(sys, partnerId), {
      source: "push",
      token,
      partnerId,
      senderShareId: randomUUID(),
      manifest: {
        session_number: 1,
        status: "Approved",
        created_at: now.toISOString(),
        features: ["ID_VERIFICATION", "LIVENESS", "FACE_MATCH"],
        agreement_reference: "DSA-BENCH",
      },
      stated: {
        session_kind: "user",
        from_application_id: x.application_id,
        for_application_id: y.application_id,
        expires_at: expiresAt,
      },
    });
    return item.id;
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
    driver: handle.driver,
    databaseName: scratch ? scratch.name : "in memory",
    ctx,
    didit,
    items,
    close: async () => {
      setDiditClientForTests(null);
      await server.close();
      await handle.close();
      await scratch?.drop();
    },
  };
}
