import "server-only";
import { Webhook } from "standardwebhooks";

/**
 * The one way this console talks to a partner over HTTP: a request signed per Standard Webhooks
 * (`webhook-id`, `webhook-timestamp`, `webhook-signature` over the exact body bytes, "" for none),
 * never a redirect followed, 10 s per request unless the caller says otherwise, and never a throw:
 * a network failure comes back as `unreachable` with why (timeout, the caller's signal, or a
 * network code) so each caller words its own error text. Nothing here puts a secret, a token or
 * the partner's message in what it returns, except the answer's JSON for the caller to parse.
 *
 * `classifyAnswer` is the retry rule every sender shares: 2xx sent, 4xx other than 408/429 final,
 * anything else (3xx, 408, 429, 5xx, no answer) retried; what a 409 means is each caller's policy.
 */

export const PARTNER_TIMEOUT_MS = 10_000;

const CODE_RE = /^[a-z][a-z0-9_]{0,59}$/;
const NETWORK_CODE_RE = /^[A-Z_]{2,40}$/;

export type PartnerRequest = {
  method: "GET" | "POST";
  url: string;
  /** The exact bytes sent and signed; "" or absent for none (then no content-type either). */
  body?: string;
  secret: string;
  messageId: string;
  /** Headers sent besides the signature and content-type (accept, the partner id header). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  timeoutMs?: number;
  /**
   * What to do with the answer's body: "discard" cancels it; "json" reads it, parses it as JSON
   * (null when it is not, or longer than `maxAnswerChars`) and takes the envelope's `error.code`.
   */
  read: "discard" | "json";
  maxAnswerChars?: number;
  /** When reading the body fails after the status came: "unreachable" (like a network error) or "no-body". */
  onReadError?: "unreachable" | "no-body";
};

export type PartnerAnswer =
  | { kind: "answer"; status: number; json: unknown; code: string | null; durationMs: number }
  | {
      kind: "unreachable";
      /** timeout: no answer within the timeout; interrupted: the caller's signal; network: `code` says. */
      why: "timeout" | "interrupted" | "network";
      code: string;
      durationMs: number;
    };

/** The Standard Webhooks headers for one message: the signature covers id, timestamp and body. */
export function signedHeaders(secret: string, messageId: string, body: string, sentAt = new Date()) {
  return {
    "webhook-id": messageId,
    "webhook-timestamp": String(Math.floor(sentAt.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(messageId, sentAt, body),
  };
}

/** The `code` of a Node network error's cause (ECONNREFUSED, UND_ERR_…), else "network error". */
export function networkCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  if (cause && typeof cause.code === "string" && NETWORK_CODE_RE.test(cause.code)) return cause.code;
  return "network error";
}

/** The `error.code` of the partner API's envelope, when it is one of the snake_case shape. */
export function errorCodeOf(json: unknown): string | null {
  const code = (json as { error?: { code?: unknown } } | null)?.error?.code;
  return typeof code === "string" && CODE_RE.test(code) ? code : null;
}

function parseJson(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : null;
  } catch {
    return null;
  }
}

const elapsed = (started: number) => Math.round(performance.now() - started);

/** One signed request to a partner; never throws. */
export async function partnerRequest(request: PartnerRequest): Promise<PartnerAnswer> {
  const body = request.body ?? "";
  const started = performance.now();
  const headers: Record<string, string> = {
    ...(body ? { "content-type": "application/json" } : {}),
    ...request.headers,
    ...signedHeaders(request.secret, request.messageId, body),
  };
  const timeout = AbortSignal.timeout(request.timeoutMs ?? PARTNER_TIMEOUT_MS);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  const unreachable = (error: unknown): PartnerAnswer => ({
    kind: "unreachable",
    why: timeout.aborted ? "timeout" : request.signal?.aborted ? "interrupted" : "network",
    code: networkCode(error),
    durationMs: elapsed(started),
  });
  let res: Response;
  try {
    res = await fetch(request.url, {
      method: request.method,
      headers,
      body: request.method === "GET" ? undefined : body,
      redirect: "manual",
      signal,
    });
  } catch (error) {
    return unreachable(error);
  }
  if (request.read === "discard") {
    await res.body?.cancel().catch(() => undefined);
    return { kind: "answer", status: res.status, json: null, code: null, durationMs: elapsed(started) };
  }
  let text: string;
  try {
    text = await res.text();
  } catch (error) {
    if (request.onReadError !== "no-body") return unreachable(error);
    text = "";
  }
  const json =
    request.maxAnswerChars !== undefined && text.length > request.maxAnswerChars ? null : parseJson(text);
  return { kind: "answer", status: res.status, json, code: errorCodeOf(json), durationMs: elapsed(started) };
}

/** What a partner's answer means for a message sent to it. */
export type AnswerVerdict = "sent" | "final" | "retry";

/**
 * Each sender's reading of 409: "final" (a 4xx like the others: share delivery), or
 * "sent-if-replayed" (the partner already has this message id, `error.code` `replayed`: recalls
 * and receipts, whose retries reuse one webhook-id).
 */
export type AnswerPolicy = { conflict: "final" | "sent-if-replayed"; code?: string | null };

/** 2xx sent; 409 per the policy; 4xx other than 408/429 final; 3xx, 408, 429, 5xx and no answer retried. */
export function classifyAnswer(status: number | null, policy: AnswerPolicy): AnswerVerdict {
  if (status === null) return "retry";
  if (status >= 200 && status < 300) return "sent";
  if (status === 409 && policy.conflict === "sent-if-replayed" && policy.code === "replayed") return "sent";
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) return "final";
  return "retry";
}
