/**
 * Test set-up for the partner inbox (imported by tests only): on top of the sharing world (our
 * Northwind Bank, the sandbox over HTTP), a partner that shares with us from its own sandbox
 * application, real share tokens minted by the sandbox for us, tokens with claims of a test's
 * choosing (signed with the sandbox's key, so Didit would honour them), and signed pushes.
 */
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { ShareTokenClaims } from "@/lib/schemas/inbox";
import type { ShareDelivery } from "@/lib/schemas/partner-api";
import { partners } from "@/lib/server/db/schema";
import { systemContext } from "@/lib/server/kernel";
import { partnerMeta, receiveToken } from "./inbox";
import { addPartner, partnerRequest, type PartnerSetup } from "@/lib/server/services/sharing/shares.test-kit";
import { claimsOf, signToken, type TestApp } from "@/test/sandbox-fixtures";
import type { SharingWorld, Signer } from "@/test/sharing-world";

export type Sender = Signer & { app: TestApp };

export type InboxKit = {
  /** A push partner of Northwind Bank (direction inbound) with its own sandbox application. */
  newSender: (overrides?: Partial<PartnerSetup>) => Promise<Sender>;
  /** The partner's Didit application uuid (for a signer the sharing world made). */
  diditIdOf: (partnerId: string) => Promise<string>;
  /** A real token: a finished session of the sender's sandbox application shared for Northwind Bank. */
  mint: (sender: Sender, opts?: { kind?: "user" | "business"; ttl?: number }) => Promise<string>;
  /** A token with these claims (the rest: a fresh session, from `fromDiditId`, for Northwind Bank, 1 h). */
  forge: (fromDiditId: string, claims?: Partial<Record<keyof ShareTokenClaims, unknown>>) => Promise<string>;
  /** The push body for a token, as a Handoff sender builds it from the token's claims. */
  delivery: (token: string, overrides?: Partial<ShareDelivery>) => ShareDelivery;
  /** A pending inbox item pushed by `sender` (a forged token, 1 h): its id. */
  pending: (sender: Signer) => Promise<string>;
  /** The push, signed by `signer` (a fresh webhook-id unless given). */
  push: (
    signer: Signer,
    body: unknown,
    opts?: { messageId?: string; at?: Date; tamper?: boolean; rawBody?: string; path?: string },
  ) => Request;
};

export function inboxKit(w: SharingWorld): InboxKit {
  const diditIdOf = async (partnerId: string) => {
    const [row] = await w.t.db
      .select({ id: partners.diditApplicationId })
      .from(partners)
      .where(eq(partners.id, partnerId));
    if (!row) throw new Error(`no partner ${partnerId}`);
    return row.id;
  };
  const forge: InboxKit["forge"] = (fromDiditId, claims = {}) => {
    const now = Math.floor(Date.now() / 1000);
    const all: Record<string, unknown> = {
      session_id: randomUUID(),
      from_application_id: fromDiditId,
      for_application_id: w.bank.id,
      session_kind: "user",
      iat: now,
      exp: now + 3600,
      ...claims,
    };
    for (const [k, v] of Object.entries(all)) if (v === undefined) delete all[k];
    return signToken(all);
  };
  const delivery: InboxKit["delivery"] = (token, overrides = {}) => {
    const c = claimsOf(token) as unknown as ShareTokenClaims;
    return {
      type: "handoff.share.v1",
      share_id: randomUUID(),
      share_token: token,
      session_kind: c.session_kind,
      from_application_id: c.from_application_id,
      for_application_id: c.for_application_id,
      expires_at: new Date(c.exp * 1000).toISOString(),
      manifest: {
        session_number: 1042,
        status: "Approved",
        created_at: "2026-11-28T14:03:11.000Z",
        features: ["ID_VERIFICATION", "LIVENESS", "FACE_MATCH"],
        agreement_reference: "DSA-2026-001",
      },
      ...overrides,
    };
  };
  return {
    newSender: async (overrides = {}) => {
      const app = await w.newSandboxApp(`Sender ${randomUUID().slice(0, 6)}`);
      const signer = await addPartner(w.t.db, {
        direction: "inbound",
        ...overrides,
        applicationId: overrides.applicationId ?? w.bankRow,
        diditApplicationId: app.id,
        channel: "push",
      });
      return { ...signer, app };
    },
    diditIdOf,
    mint: async (sender, opts = {}) => {
      const session = await w.api.newSession(sender.app, opts.kind ?? "user", "Approved");
      return w.api.mint(sender.app, session.session_id, w.bank, opts.ttl);
    },
    forge,
    delivery,
    pending: async (signer) => {
      const ctx = systemContext(w.t.db);
      const token = await forge(await diditIdOf(signer.id));
      const body = delivery(token);
      const { item } = await receiveToken(ctx, partnerMeta(ctx, signer.id), {
        source: "push",
        token,
        partnerId: signer.id,
        senderShareId: body.share_id,
        manifest: body.manifest,
        stated: body,
      });
      return item.id;
    },
    push: (signer, body, opts = {}) =>
      partnerRequest(opts.path ?? `/api/partner/v1/inbox/${signer.id}`, {
        method: "POST",
        partnerId: signer.id,
        secret: signer.secret,
        body,
        rawBody: opts.rawBody,
        messageId: opts.messageId,
        at: opts.at,
        tamper: opts.tamper,
      }),
  };
}
