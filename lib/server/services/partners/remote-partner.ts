import "server-only";
import { PARTNER_ID_HEADER } from "@/lib/schemas/partner-api";
import { partners } from "@/lib/server/db/schema";
import type { DbOrTx } from "@/lib/server/db/types";
import { partnerRequest } from "@/lib/server/kernel";
import { partnerSigningSecret } from "./secrets";

/**
 * Requests to a remote partner's Handoff console (they share with us from it): pick-up polling and
 * receipts back to them. Signed per Standard Webhooks with the secret we share with that partner,
 * named by the `handoff-partner-id` they gave us; never a redirect followed, 10 s per request.
 * Error texts say what failed (a status and the partner's error code, or a network code), never a
 * secret, a token or the partner's message.
 */

export const REMOTE_TIMEOUT_MS = 10_000;

type PartnerRow = typeof partners.$inferSelect;

export type RemoteTarget = { baseUrl: string; remotePartnerId: string; secret: string };

/** Where and how to reach the partner's console, or why we cannot (no secret in the reason). */
export async function remoteTargetOf(
  db: DbOrTx,
  partner: Pick<PartnerRow, "id" | "partnerApiBaseUrl" | "remotePartnerId">,
  now: Date,
): Promise<{ ok: true; target: RemoteTarget } | { ok: false; reason: string }> {
  if (!partner.partnerApiBaseUrl) return { ok: false, reason: "the partner has no partner API base URL" };
  if (!partner.remotePartnerId) return { ok: false, reason: "our partner id at this partner is not set" };
  const secret = await partnerSigningSecret(db, partner.id, now);
  if (!secret) return { ok: false, reason: "no signing secret: enter the partner's secret on its page" };
  return {
    ok: true,
    target: { baseUrl: partner.partnerApiBaseUrl, remotePartnerId: partner.remotePartnerId, secret },
  };
}

/** `{base}/api/partner/v1/{path}`, whatever the base's trailing slashes. */
export function remoteUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/api/partner/v1/${path.replace(/^\/+/, "")}`;
}

export type RemoteAnswer =
  | { kind: "answer"; status: number; json: unknown; code: string | null }
  | { kind: "unreachable"; error: string };

const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

/** One signed request; never throws. The body is signed as the exact bytes sent ("" for none). */
export async function remoteRequest(
  target: RemoteTarget,
  request: { method: "GET" | "POST"; path: string; body?: string; messageId: string; signal?: AbortSignal },
): Promise<RemoteAnswer> {
  const answer = await partnerRequest({
    method: request.method,
    url: remoteUrl(target.baseUrl, request.path),
    body: request.body,
    secret: target.secret,
    messageId: request.messageId,
    headers: { accept: "application/json", [PARTNER_ID_HEADER]: target.remotePartnerId },
    signal: request.signal,
    timeoutMs: REMOTE_TIMEOUT_MS,
    read: "json",
    maxAnswerChars: MAX_ANSWER_BYTES,
    onReadError: "unreachable",
  });
  if (answer.kind === "answer") {
    return { kind: "answer", status: answer.status, json: answer.json, code: answer.code };
  }
  const reason =
    answer.why === "timeout"
      ? `no answer within ${REMOTE_TIMEOUT_MS / 1000} s`
      : answer.why === "interrupted"
        ? "interrupted (the worker stopped)"
        : `could not reach the partner's console (${answer.code})`;
  return { kind: "unreachable", error: reason };
}

/** "HTTP 404 not_found": a refusal as stored and shown (never the partner's own message). */
export function describeStatus(answer: { status: number; code: string | null }): string {
  return `HTTP ${answer.status}${answer.code ? ` ${answer.code}` : ""}`;
}
