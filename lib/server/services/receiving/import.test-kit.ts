/**
 * Test set-up for the import suites (imported by tests only): the inbox world (Northwind Bank, a
 * push partner with its own sandbox application) with Northwind Bank's default import workflows
 * set, the product's Didit client behind a fault proxy in front of the sandbox (no retries, a
 * short timeout, so a hang is a lost answer), and items holding real tokens minted by the sandbox.
 */
import { eq } from "drizzle-orm";
import { connectedApplications } from "@/lib/server/db/schema";
import { createDiditClient, setDiditClientForTests } from "@/lib/server/didit";
import { systemContext } from "@/lib/server/kernel";
import { partnerMeta, receiveToken } from "./inbox";
import { inboxKit, type InboxKit, type Sender } from "./inbox.test-kit";
import type { Kind, TestApp } from "@/test/sandbox-fixtures";
import { startFaultProxy, type FaultProxy } from "@/test/fault-proxy";
import { sharingWorld, type SharingWorld } from "@/test/sharing-world";

/**
 * Per attempt: long enough for the sandbox on a loaded 2-core machine (100 concurrent imports of one
 * item made the winner wait over 2 s for PostgreSQL once), short enough that a hang is a quick lost answer.
 */
export const IMPORT_TEST_TIMEOUT_MS = 6_000;

export type ImportWorld = {
  w: SharingWorld;
  kit: InboxKit;
  sender: Sender;
  proxy: FaultProxy;
  /** Import calls that reached the proxy / the sandbox. */
  importCalls: () => { received: number; forwarded: number };
  /** A pending item (pushed by `sender`) holding a real token for a fresh Approved session: its id and token. */
  item: (opts?: {
    sender?: Sender;
    kind?: Kind;
    ttl?: number;
    sessionId?: string;
    to?: TestApp;
  }) => Promise<{ id: string; token: string; sourceSessionId: string }>;
  close: () => Promise<void>;
};

/**
 * A pending item pushed by `sender` holding a real token: a fresh Approved session (or `sessionId`)
 * of the sender's sandbox application shared for Northwind Bank (or `to`, one of our applications
 * the sender is a partner of). Answers the item id, the token and the source session.
 */
export async function receivedItem(
  w: SharingWorld,
  kit: InboxKit,
  sender: Sender,
  opts: { kind?: Kind; ttl?: number; sessionId?: string; to?: TestApp } = {},
): Promise<{ id: string; token: string; sourceSessionId: string }> {
  const sessionId =
    opts.sessionId ?? (await w.api.newSession(sender.app, opts.kind ?? "user", "Approved")).session_id;
  const token = await w.api.mint(sender.app, sessionId, opts.to ?? w.bank, opts.ttl);
  const body = kit.delivery(token);
  const ctx = systemContext(w.t.db);
  const { item } = await receiveToken(ctx, partnerMeta(ctx, sender.id), {
    source: "push",
    token,
    partnerId: sender.id,
    senderShareId: body.share_id,
    manifest: body.manifest,
    stated: body,
  });
  return { id: item.id, token, sourceSessionId: sessionId };
}

export async function importWorld(): Promise<ImportWorld> {
  const w = await sharingWorld();
  const kit = inboxKit(w);
  const sender = await kit.newSender();
  await w.t.db
    .update(connectedApplications)
    .set({ defaultWorkflowUser: w.bank.workflows.user, defaultWorkflowBusiness: w.bank.workflows.business })
    .where(eq(connectedApplications.id, w.bankRow));
  const proxy = await startFaultProxy(w.server.origin);
  setDiditClientForTests(
    createDiditClient({
      baseUrl: () => `${proxy.origin}/sandbox`,
      limiter: false,
      maxRetries: 0,
      timeoutMs: IMPORT_TEST_TIMEOUT_MS,
    }),
  );
  return {
    w,
    kit,
    sender,
    proxy,
    importCalls: () => proxy.count({ path: /import-shared/ }),
    item: (opts = {}) => receivedItem(w, kit, opts.sender ?? sender, opts),
    close: async () => {
      await proxy.close();
      await w.close();
    },
  };
}
