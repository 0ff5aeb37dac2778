/**
 * Test set-up for the share, delivery and partner API suites (imported by tests only): the Didit
 * sandbox over real HTTP, our connected applications and partners inserted directly, a local
 * receiver for pushes, signed partner requests, and a log capture.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import pino from "pino";
import { Webhook } from "standardwebhooks";
import { seal } from "@/lib/server/crypto/envelope";
import { connectedApplications, partners, sessionMirror, type DeliveryChannel } from "@/lib/server/db/schema";
import type { Db } from "@/lib/server/db/types";
import { createDiditClient, setDiditClientForTests, type DiditClient } from "@/lib/server/didit";
import { issuePartnerSecret } from "@/lib/server/services/partners/secrets";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { sandboxApi, type Kind, type Status, type TestApp } from "@/test/sandbox-fixtures";
import { startSandboxServer, type SandboxServer } from "@/test/sandbox-http";

export type World = {
  t: TestDatabase;
  server: SandboxServer;
  api: ReturnType<typeof sandboxApi>;
  /** Didit calls made through the product's client since the last reset. */
  diditCalls: { count: number };
  close: () => Promise<void>;
};

/** A fresh database, the sandbox on a local port, and the product's Didit client pointed at it. */
export async function sharingWorld(): Promise<World> {
  const t = await createTestDatabase();
  const server = await startSandboxServer();
  const api = sandboxApi(server.origin);
  const diditCalls = { count: 0 };
  const real = createDiditClient({ baseUrl: () => `${server.origin}/sandbox`, limiter: false });
  const counting = new Proxy(real, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        diditCalls.count++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as DiditClient;
  setDiditClientForTests(counting);
  return {
    t,
    server,
    api,
    diditCalls,
    close: async () => {
      setDiditClientForTests(null);
      await server.close();
      await t.close();
    },
  };
}

/** Inserts one of our connected applications for a sandbox application; answers its row id. */
export async function connectApp(db: Db, app: TestApp, name: string): Promise<string> {
  const id = randomUUID();
  await db.insert(connectedApplications).values({
    id,
    name,
    diditApplicationId: app.id,
    environment: "sandbox",
    apiKeyCiphertext: seal(app.key, id),
    apiKeyLast4: app.key.slice(-4),
  });
  return id;
}

export type PartnerSetup = {
  applicationId: string;
  diditApplicationId: string;
  channel: DeliveryChannel;
  name?: string;
  pushUrl?: string | null;
} & Partial<typeof partners.$inferInsert>;

/** Inserts a partner that passes every policy check unless overridden, with a signing secret. */
export async function addPartner(db: Db, setup: PartnerSetup): Promise<{ id: string; secret: string }> {
  const { applicationId, diditApplicationId, channel, ...rest } = setup;
  const id = randomUUID();
  await db.insert(partners).values({
    id,
    name: `Partner ${channel} ${id.slice(0, 4)}`,
    direction: "both",
    agreementReference: "DSA-2026-001",
    agreementSignedOn: "2026-01-01",
    agreementExpiresOn: "2099-12-31",
    allowedKinds: ["user", "business"],
    allowedStatuses: ["Approved", "Declined", "In Review"],
    defaultTtlSeconds: 3600,
    maxTtlSeconds: 86400,
    ...rest,
    applicationId,
    diditApplicationId,
    deliveryChannel: channel,
  });
  const secret = await db.transaction((tx) => issuePartnerSecret(tx, id, null, new Date()));
  return { id, secret: secret.secret };
}

/** A session in the sandbox and its row in our mirror; answers the Didit session uuid. */
export async function mirroredSession(
  w: World,
  app: TestApp,
  applicationRowId: string,
  kind: Kind,
  status: Status,
  mirrorStatus: string = status,
): Promise<string> {
  const s = await w.api.newSession(app, kind, status);
  await w.t.db.insert(sessionMirror).values({
    applicationId: applicationRowId,
    diditSessionId: s.session_id,
    sessionNumber: typeof s.session_number === "number" ? s.session_number : null,
    kind,
    status: mirrorStatus,
    displayName: kind === "user" ? "Ada Lovelace" : "Analytical Engines Ltd",
    features: kind === "user" ? ["id_verifications", "liveness_checks"] : ["registry_checks"],
    diditCreatedAt: new Date(),
    searchText: "ada lovelace",
  });
  return s.session_id;
}

/** A partner's request to the partner API, signed per Standard Webhooks. */
export function partnerRequest(
  url: string,
  opts: {
    method?: string;
    partnerId: string;
    secret: string;
    body?: unknown;
    rawBody?: string;
    messageId?: string;
    at?: Date;
    tamper?: boolean;
  },
): Request {
  const body = opts.rawBody ?? (opts.body === undefined ? "" : JSON.stringify(opts.body));
  const messageId = opts.messageId ?? `msg_${randomUUID()}`;
  const at = opts.at ?? new Date();
  const signature = new Webhook(opts.secret).sign(messageId, at, body);
  const headers = new Headers({
    "handoff-partner-id": opts.partnerId,
    "webhook-id": messageId,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": signature,
  });
  if (body) headers.set("content-type", "application/json");
  const method = opts.method ?? (body ? "POST" : "GET");
  return new Request(new URL(url, "http://handoff.test"), {
    method,
    headers,
    body: method === "GET" ? undefined : opts.tamper ? body + " " : body,
  });
}

export type Received = { headers: Record<string, string | string[] | undefined>; body: string };

/** A local inbox: answers each push with the next scripted status (the last one repeats). */
export async function startReceiver(statuses: number[] = [200]) {
  const received: Received[] = [];
  let script = [...statuses];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const status = script.length > 1 ? script.shift()! : (script[0] ?? 200);
      res.writeHead(status, { "content-type": "application/json" }).end('{"received":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/partner/v1/inbox/${randomUUID()}`,
    received,
    script: (next: number[]) => (script = [...next]),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Every log line the product writes (unredacted: a token must not reach the logger at all). */
export function captureLogs(): { text: () => string; restore: () => void } {
  const store = globalThis as unknown as { __handoffLogger?: pino.Logger };
  const previous = store.__handoffLogger;
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString("utf8"));
      done();
    },
  });
  store.__handoffLogger = pino({ level: "trace" }, sink);
  return {
    text: () => lines.join(""),
    restore: () => {
      store.__handoffLogger = previous;
    },
  };
}

/** Every table's rows as text (to search for a token anywhere in the database). */
export async function databaseText(db: Db): Promise<string> {
  const tables = (await db.execute(sql`
    select table_schema as s, table_name as n from information_schema.tables
    where table_type = 'BASE TABLE' and table_schema = 'public'`)) as unknown;
  const list = (Array.isArray(tables) ? tables : (tables as { rows: unknown[] }).rows) as {
    s: string;
    n: string;
  }[];
  let out = "";
  for (const { s, n } of list) {
    const rows = (await db.execute(sql.raw(`select * from "${s}"."${n}"`))) as unknown;
    out += JSON.stringify(Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows);
  }
  return out;
}

export async function countRows(db: Db, table: string): Promise<number> {
  const res = (await db.execute(sql.raw(`select count(*)::int as c from "${table}"`))) as unknown;
  const rows = (Array.isArray(res) ? res : (res as { rows: { c: number }[] }).rows) as { c: number }[];
  return Number(rows[0]!.c);
}
