import { createHmac, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { open, seal } from "@/lib/server/crypto/envelope";
import { connectedApplications } from "@/lib/server/db/schema/sharing";
import { createDiditClient, setDiditClientForTests } from "@/lib/server/didit";
import { setListenAddressForTests } from "@/lib/server/listen-address";
import type { ServiceContext } from "@/lib/server/kernel";
import { createShare } from "@/lib/server/services/sharing";
import {
  addPartner,
  connectApp,
  mirroredSession,
  partnerRequest,
  type World,
} from "@/lib/server/services/sharing/shares.test-kit";
import { signedRequest } from "@/lib/server/sandbox/webhooks";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { sandboxApi, type TestApp } from "@/test/sandbox-fixtures";
import { startSandboxServer, type SandboxServer } from "@/test/sandbox-http";
import { insertUser, type TestUser } from "@/test/session";

/**
 * The sharing fixtures the API permission matrix and the fuzz sweep call the new routes with: a
 * fresh database, the Didit sandbox on a loopback port with the product's Didit client pointed at
 * it (no retries, no limiter), this console's URL known (webhook registration), one connected
 * application (Northwind Bank) with a known Didit webhook secret, a pick-up partner that signs
 * partner API requests with a known secret, and factories for everything a call may use up:
 * sandbox applications, mirrored finished sessions, pending pick-up and manual shares.
 */

export type Signer = { id: string; secret: string };

export type SharingWorld = {
  t: TestDatabase;
  server: SandboxServer;
  api: ReturnType<typeof sandboxApi>;
  /** Our connected application and the sandbox application behind it. */
  bank: TestApp;
  bankRow: string;
  /** A pick-up partner of Northwind Bank: shares to it are picked up through the partner API. */
  pickup: Signer;
  /** A manual-channel partner of Northwind Bank: its shares are revealed once by an officer. */
  manual: Signer;
  officer: TestUser;
  /** A new sandbox application (for a connect, or a throwaway connected row). */
  newSandboxApp: (name?: string) => Promise<TestApp>;
  /** A new connected application row for a new sandbox application; answers its row id. */
  newConnectedApp: (name?: string) => Promise<string>;
  /** A new finished session of Northwind Bank, in the sandbox and the mirror: its Didit uuid. */
  newSession: (status?: "Approved" | "In Review" | "Declined") => Promise<string>;
  /** A new pending share of a fresh session to `partner` (the pick-up partner by default): its id. */
  newShare: (partner?: Signer) => Promise<string>;
  /** A partner of Northwind Bank for a new sandbox application, with a signing secret. */
  newPartner: (channel?: "pickup" | "manual") => Promise<Signer>;
  /** A partner API request signed by `signer` (Standard Webhooks). */
  partnerRequest: (url: string, opts: { signer?: Signer; method?: string; body?: unknown }) => Request;
  /** Didit's webhook secret for one of our applications, as stored (sealed) on its row. */
  webhookSecret: (applicationRowId: string) => Promise<string>;
  /** A Didit event for Northwind Bank, signed as Didit signs it (X-Signature-V2 and X-Signature). */
  diditWebhookRequest: (applicationRowId?: string, event?: Record<string, unknown>) => Promise<Request>;
  close: () => Promise<void>;
};

/**
 * X-Signature as the receiver checks it: HMAC-SHA256 (hex) over the raw body bytes (didit-api.md
 * §6; Didit signs the ASCII-escaped serialisation, the same bytes as an ASCII body).
 */
export function diditV1Signature(secret: string, raw: Uint8Array | string): string {
  return createHmac("sha256", secret).update(raw).digest("hex");
}

/**
 * A Standard Webhooks signature over raw bytes (`{id}.{timestamp}.{body}`, HMAC-SHA256 with the
 * base64 key after `whsec_`): the same as `new Webhook(secret).sign` for a UTF-8 body, and usable
 * for bytes that are not UTF-8 (which the package cannot sign).
 */
export function standardWebhookSignature(
  secret: string,
  messageId: string,
  timestampSeconds: number,
  raw: Uint8Array | string,
): string {
  const key = Buffer.from(secret.startsWith("whsec_") ? secret.slice(6) : secret, "base64");
  const mac = createHmac("sha256", key)
    .update(`${messageId}.${timestampSeconds}.`)
    .update(raw)
    .digest("base64");
  return `v1,${mac}`;
}

export async function sharingWorld(
  options: { listen?: { host: string; port: number } } = {},
): Promise<SharingWorld> {
  const t = await createTestDatabase();
  const server = await startSandboxServer();
  const api = sandboxApi(server.origin);
  setDiditClientForTests(
    createDiditClient({ baseUrl: () => `${server.origin}/sandbox`, limiter: false, maxRetries: 0 }),
  );
  // Port 9 (discard): webhook destinations are registered with the sandbox, nothing is delivered.
  setListenAddressForTests(options.listen ?? { host: "127.0.0.1", port: 9 });
  const kit: World = { t, server, api, diditCalls: { count: 0 }, close: async () => undefined };
  const officer = await insertUser(t.db, "officer");
  const ctx = (): ServiceContext => ({
    db: t.db,
    actor: { id: officer.id, email: officer.email, name: "Officer", role: "officer" },
    now: () => new Date(),
    requestId: "fixture",
    ip: null,
    userAgent: null,
  });

  let counter = 0;
  const newSandboxApp = (name = `Fixture ${++counter}`) => api.newApp("recipe", name);
  const bank = await newSandboxApp("Northwind Bank");
  const bankRow = await connectApp(t.db, bank, "Northwind Bank");
  await t.db
    .update(connectedApplications)
    .set({
      webhookSecretCiphertext: seal(`whsec-fixture-${randomUUID()}`, bankRow),
      webhookDestinationId: randomUUID(),
      webhookUrl: `http://127.0.0.1:9/api/webhooks/didit/${bankRow}`,
    })
    .where(eq(connectedApplications.id, bankRow));

  const newPartner = async (channel: "pickup" | "manual" = "pickup"): Promise<Signer> => {
    const target = await newSandboxApp(`Partner ${channel} ${++counter}`);
    return addPartner(t.db, { applicationId: bankRow, diditApplicationId: target.id, channel });
  };
  const pickup = await newPartner("pickup");
  const manual = await newPartner("manual");
  const newSession = (status: "Approved" | "In Review" | "Declined" = "Approved") =>
    mirroredSession(kit, bank, bankRow, "user", status);
  const newShare = async (partner: Signer = pickup) => {
    const sessionId = await newSession();
    return (await createShare(ctx(), { sessionId, partnerId: partner.id, ttlSeconds: 3600 })).id;
  };

  const webhookSecret = async (applicationRowId: string) => {
    const [row] = await t.db
      .select({ secret: connectedApplications.webhookSecretCiphertext })
      .from(connectedApplications)
      .where(eq(connectedApplications.id, applicationRowId));
    if (!row?.secret) throw new Error(`application ${applicationRowId} has no webhook secret`);
    return open(row.secret, applicationRowId);
  };

  return {
    t,
    server,
    api,
    bank,
    bankRow,
    pickup,
    manual,
    officer,
    newSandboxApp,
    newConnectedApp: async (name = `Throwaway ${++counter}`) =>
      connectApp(t.db, await newSandboxApp(name), name),
    newSession,
    newShare,
    newPartner,
    partnerRequest: (url, opts) =>
      partnerRequest(url, {
        partnerId: (opts.signer ?? pickup).id,
        secret: (opts.signer ?? pickup).secret,
        method: opts.method,
        body: opts.body,
      }),
    webhookSecret,
    diditWebhookRequest: async (applicationRowId = bankRow, event = {}) => {
      const now = Math.floor(Date.now() / 1000);
      const signed = signedRequest(
        {
          application_id: bank.id,
          created_at: now,
          event_id: randomUUID(),
          session_id: randomUUID(),
          status: "Approved",
          timestamp: now,
          webhook_type: "status.updated",
          ...event,
        },
        await webhookSecret(applicationRowId),
      );
      return new Request(`http://handoff.test/api/webhooks/didit/${applicationRowId}`, {
        method: "POST",
        headers: signed.headers,
        body: signed.body,
      });
    },
    close: async () => {
      setDiditClientForTests(null);
      setListenAddressForTests(null);
      await server.close();
      await t.close();
    },
  };
}
