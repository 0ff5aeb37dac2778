/**
 * The set-up the benchmarks that run Handoff against the Didit sandbox share: their configuration,
 * one database (PostgreSQL: a scratch database created and dropped; else an in-memory PGlite) with
 * the sandbox's tables, the sandbox as a real HTTP server on 127.0.0.1 (test/sandbox-http.ts), and
 * the rows and tokens most of them start from (connected applications, partners, an officer, a
 * share token received the way a signed push delivers it).
 *
 * Every module that reads the configuration is imported inside these functions, after
 * `configureBench()` has run (getEnv parses process.env once, lazily); only types are imported
 * statically. The test kits (test/sharing-world.ts, imports.test-kit.ts) import vitest, which a tsx
 * script cannot load, hence this small copy of their set-up.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { decodeJwt } from "jose";
import type { DiditClient } from "@/lib/server/didit";
import type { DatabaseHandle, Db } from "@/lib/server/db/types";
import type { partners } from "@/lib/server/db/schema";
import type { CreatedApplication } from "@/lib/server/sandbox/applications";
import type { ServiceContext } from "@/lib/server/kernel";
import { createScratchDatabase } from "./lib";

/** Configuration before the first module reads it: a test process, the sandbox on, no rate limits. */
export function configureBench() {
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

/**
 * The benchmark's database, migrated, with the sandbox's tables and set as the app's: a scratch
 * database `<prefix>_<time>` on the server of `databaseUrl` (a pool of `pool`), else an in-memory
 * PGlite. `close()` closes it and drops the scratch database.
 */
export async function openBenchDatabase(opts: { databaseUrl?: string; prefix: string; pool: number }) {
  const { setDatabase } = await import("@/lib/server/db/client");
  const { migratePostgresUrl, openPglite, openPostgres } = await import("@/lib/server/db/open");
  const { migrateSandbox } = await import("@/lib/server/sandbox/migrate");
  const scratch = opts.databaseUrl ? await createScratchDatabase(opts.databaseUrl, opts.prefix) : null;
  let handle: DatabaseHandle;
  if (scratch) {
    await migratePostgresUrl(scratch.url);
    handle = openPostgres(scratch.url, { max: opts.pool });
  } else {
    handle = await openPglite(null);
  }
  const close = async () => {
    await handle.close();
    await scratch?.drop();
  };
  try {
    await migrateSandbox(handle.db);
  } catch (error) {
    await close();
    throw error;
  }
  setDatabase(handle);
  return {
    handle,
    db: handle.db,
    driver: handle.driver,
    scratch,
    databaseName: scratch ? scratch.name : "in memory",
    close,
  };
}

/**
 * `configureBench()`, the database (`openBenchDatabase`) and the sandbox as an HTTP server.
 * `close()` puts Handoff's Didit client back, stops the server and closes the database.
 */
export async function openSandboxBench(opts: { databaseUrl?: string; prefix: string; pool: number }) {
  configureBench();
  const { startSandboxServer } = await import("@/test/sandbox-http");
  const { setDiditClientForTests } = await import("@/lib/server/didit");
  const database = await openBenchDatabase(opts);
  let server: Awaited<ReturnType<typeof startSandboxServer>>;
  try {
    server = await startSandboxServer();
  } catch (error) {
    await database.close();
    throw error;
  }
  return {
    ...database,
    server,
    close: async () => {
      setDiditClientForTests(null);
      await server.close();
      await database.close();
    },
  };
}

/**
 * Handoff's Didit client against the sandbox at `origin` over HTTP, without its limiter (`options`
 * as createDiditClient's, e.g. `maxRetries: 0`), with `wrap`'s methods in place of the client's
 * (to count or time calls), installed as the app's client.
 */
export async function installSandboxDiditClient(
  origin: string,
  options: { maxRetries?: number } = {},
  wrap: (client: DiditClient) => Partial<DiditClient> = () => ({}),
) {
  const { createDiditClient, setDiditClientForTests } = await import("@/lib/server/didit");
  const client = createDiditClient({ baseUrl: () => `${origin}/sandbox`, limiter: false, ...options });
  setDiditClientForTests({ ...client, ...wrap(client) });
  return client;
}

/** `fn`, pushing the milliseconds of each call (answered or thrown) onto `ms`. */
export function timed<A extends unknown[], R>(fn: (...args: A) => Promise<R>, ms: number[]) {
  return async (...args: A): Promise<R> => {
    const started = performance.now();
    try {
      return await fn(...args);
    } finally {
      ms.push(performance.now() - started);
    }
  };
}

/**
 * Connects the sandbox application `app` to Handoff as `name` (its key sealed), with the
 * application's default import workflows unless `workflows` is false; returns the row's id.
 */
export async function connectApplication(
  db: Db,
  app: CreatedApplication,
  name: string,
  { workflows = true }: { workflows?: boolean } = {},
): Promise<string> {
  const schema = await import("@/lib/server/db/schema");
  const { seal } = await import("@/lib/server/crypto/envelope");
  const id = randomUUID();
  await db.insert(schema.connectedApplications).values({
    id,
    name,
    diditApplicationId: app.application_id,
    environment: "sandbox",
    apiKeyCiphertext: seal(app.api_key, id),
    apiKeyLast4: app.api_key.slice(-4),
    ...(workflows
      ? { defaultWorkflowUser: app.workflows.user, defaultWorkflowBusiness: app.workflows.business }
      : {}),
  });
  return id;
}

/**
 * A partner `name` (the sandbox application `app`) of our connected application `applicationId`,
 * under agreement DSA-BENCH (signed 2026-01-01, until 2099-12-31), every kind and status allowed;
 * `values` sets the rest (direction, delivery channel, …). Returns its id.
 */
export async function insertPartner(
  db: Db,
  app: CreatedApplication,
  values: { name: string; applicationId: string } & Partial<typeof partners.$inferInsert> &
    Pick<typeof partners.$inferInsert, "direction" | "deliveryChannel">,
): Promise<string> {
  const schema = await import("@/lib/server/db/schema");
  const id = randomUUID();
  await db.insert(schema.partners).values({
    id,
    diditApplicationId: app.application_id,
    agreementReference: "DSA-BENCH",
    agreementSignedOn: "2026-01-01",
    agreementExpiresOn: "2099-12-31",
    allowedKinds: ["user", "business"],
    allowedStatuses: ["Approved", "Declined", "In Review"],
    ...values,
  });
  return id;
}

/** An officer, and a fresh service context acting as them for each call of `ctx()`. */
export async function benchOfficer(db: Db) {
  const { insertUser } = await import("@/test/session");
  const officer = await insertUser(db, "officer");
  const ctx = (): ServiceContext => ({
    db,
    actor: { id: officer.id, email: officer.email, name: "Officer", role: "officer" },
    now: () => new Date(),
    requestId: `bench-${randomUUID()}`,
    ip: null,
    userAgent: "bench",
  });
  return { officer, ctx };
}

/**
 * A share token for the sandbox session `sessionId` of `from`, minted for `forApplicationId` at the
 * sandbox at `origin` (an hour), then received by Handoff the way a signed push from `partnerId`
 * delivers it (receiveToken, with the manifest and stated fields a push carries). Returns the
 * pending inbox item.
 */
export async function receivePushedShare(
  db: Db,
  opts: {
    origin: string;
    from: CreatedApplication;
    forApplicationId: string;
    sessionId: string;
    kind: "user" | "business";
    features: string[];
    partnerId: string;
    now: Date;
  },
) {
  const { partnerMeta, receiveToken } = await import("@/lib/server/services/receiving");
  const { systemContext } = await import("@/lib/server/kernel");
  const res = await fetch(`${opts.origin}/sandbox/v3/session/${opts.sessionId}/share/`, {
    method: "POST",
    headers: { "x-api-key": opts.from.api_key, "content-type": "application/json" },
    body: JSON.stringify({ for_application_id: opts.forApplicationId, ttl_in_seconds: 3600 }),
  });
  if (res.status !== 201) throw new Error(`share answered ${res.status}: ${await res.text()}`);
  const { share_token: token } = (await res.json()) as { share_token: string };
  const sys = systemContext(db);
  const { item } = await receiveToken(sys, partnerMeta(sys, opts.partnerId), {
    source: "push",
    token,
    partnerId: opts.partnerId,
    senderShareId: randomUUID(),
    manifest: {
      session_number: 1,
      status: "Approved",
      created_at: opts.now.toISOString(),
      features: opts.features,
      agreement_reference: "DSA-BENCH",
    },
    stated: {
      session_kind: opts.kind,
      from_application_id: opts.from.application_id,
      for_application_id: opts.forApplicationId,
      expires_at: new Date(Number(decodeJwt(token).exp) * 1000).toISOString(),
    },
  });
  return item;
}
