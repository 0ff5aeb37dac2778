import "server-only";
import type { z } from "zod";
import { EnvelopeError, open } from "@/lib/server/crypto/envelope";
import { NotListeningError } from "@/lib/server/listen-address";
import { getLogger } from "@/lib/server/logger";
import { API_KEY_HEADER } from "@/lib/server/didit-wire";
import { DiditError, mapRefusal, MESSAGES, type DiditErrorDetails, type DiditOperation } from "./errors";
import { createLimiter, LimiterWaitTooLong, type DiditLimiter } from "./limiter";
import { statusFilter } from "./normalise";
import {
  isConnectError,
  isRetryable,
  parseRetryAfter,
  RETRY_CLASS,
  retryDelayMs,
  type AttemptFailure,
} from "./retry";
import {
  decisionSchema,
  destinationListSchema,
  destinationSchema,
  importSchema,
  parseSessionList,
  shareSchema,
  updateStatusSchema,
} from "./schemas";
import type { DiditCaller, DiditClient, ListSessionsQuery } from "./types";

/**
 * The HTTP client of Didit's v3 API: the only code that knows its URLs, headers and dialects.
 * Per call: the caller's key is decrypted (and dropped with the call), the limiter gives the
 * caller its turn, the request goes out with a timeout, failures are retried where that is safe
 * (retry.ts), and the answer is parsed (schemas.ts) or turned into a DiditError (errors.ts).
 */

export type DiditLogger = {
  warn: (obj: object, msg: string) => void;
  debug: (obj: object, msg: string) => void;
};

export type CreateDiditClientOptions = {
  /** Didit's origin (no `/v3`), or a function read on every call. */
  baseUrl: string | (() => string);
  /** Per attempt, the answer's body included (default 10 s). */
  timeoutMs?: number;
  /** Retries after the first attempt where the operation allows them (default 3). */
  maxRetries?: number;
  /** The most a call spends waiting between attempts, Retry-After included (default 30 s). */
  retryBudgetMs?: number;
  /** Exponential backoff: first retry around `baseMs`, never above `capMs` (250 ms, 5 s). */
  backoff?: { baseMs?: number; capMs?: number };
  /** The per-key limiter: false = off; numbers = its budget; or a limiter to share. */
  limiter?:
    | false
    | { readsPerMinute: number; writesPerMinute: number; maxWaitMs?: number; burstFraction?: number }
    | DiditLimiter;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  logger?: DiditLogger;
};

type Request<T> = {
  operation: DiditOperation;
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Under `/v3/`, with its trailing slash. */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** null: no body expected (204). */
  schema: z.ZodType<T> | null;
  shareToken?: string;
  expectedApplicationId?: string;
};

class Timeout extends Error {}

const WRITE_OUTCOME_UNKNOWN: Partial<Record<DiditOperation, string>> = {
  importShared:
    "the import may have happened: look for the imported session (by vendor_data) before importing again",
  share: "a token may have been minted; it is never delivered, so sharing again is safe",
  updateStatus: "the status may have changed: reload the session before trying again",
  createWebhookDestination: "the destination may have been created: reload the application's settings",
};

export function createDiditClient(options: CreateDiditClientOptions): DiditClient {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxRetries = options.maxRetries ?? 3;
  const retryBudgetMs = options.retryBudgetMs ?? 30_000;
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? (() => Date.now());
  const random = options.random ?? Math.random;
  const backoff = {
    baseMs: options.backoff?.baseMs ?? 250,
    capMs: options.backoff?.capMs ?? 5000,
    random,
  };
  const log = (): DiditLogger => options.logger ?? getLogger();
  const limiter: DiditLimiter | null =
    options.limiter === false || options.limiter === undefined
      ? null
      : "acquire" in options.limiter
        ? options.limiter
        : createLimiter({ ...options.limiter, clock: { now, sleep } });

  function baseUrl(operation: DiditOperation): string {
    try {
      const base = typeof options.baseUrl === "function" ? options.baseUrl() : options.baseUrl;
      return base.replace(/\/+$/, "");
    } catch (error) {
      if (error instanceof NotListeningError) {
        throw new DiditError(
          "upstream_unavailable",
          "The Didit sandbox's address is not known yet (this console is not listening): try again in a moment, or set DIDIT_API_BASE_URL or HANDOFF_PUBLIC_URL.",
          undefined,
          operation,
        );
      }
      throw error;
    }
  }

  function keyOf(caller: DiditCaller, operation: DiditOperation): string {
    try {
      return open(caller.apiKeyCiphertext, caller.id);
    } catch (error) {
      if (error instanceof EnvelopeError) {
        throw new DiditError(
          "key_rejected",
          "This application's API key cannot be decrypted (was HANDOFF_ENCRYPTION_KEY changed without HANDOFF_ENCRYPTION_KEY_PREVIOUS?): an admin must re-enter the key on /applications.",
          undefined,
          operation,
        );
      }
      throw error;
    }
  }

  function fail(
    req: Request<unknown>,
    code: DiditError["code"],
    message: string,
    details: DiditErrorDetails,
  ): DiditError {
    const error = new DiditError(code, message, details, req.operation);
    log().warn(
      {
        didit: {
          operation: req.operation,
          status: details.upstreamStatus ?? null,
          code,
          attempts: details.attempts,
        },
      },
      "didit call failed",
    );
    return error;
  }

  function unknownOutcome(req: Request<unknown>, message: string, details: DiditErrorDetails) {
    const note = WRITE_OUTCOME_UNKNOWN[req.operation];
    if (!note) return { message, details };
    return {
      message: `${message.replace(/\.$/, "")}; ${note}.`,
      details: { ...details, outcomeUnknown: true },
    };
  }

  /** The final failure of a call → the DiditError the caller sees. */
  function toError(
    req: Request<unknown>,
    failure: AttemptFailure,
    attempts: number,
    retryAfterMs: number | null,
  ) {
    const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
    if (failure.kind === "timeout") {
      const u = unknownOutcome(
        req,
        `Didit did not answer within ${seconds(timeoutMs)} s: try again in a moment.`,
        { attempts },
      );
      return fail(req, "upstream_timeout", u.message, u.details);
    }
    if (failure.kind === "connect") {
      return fail(
        req,
        "upstream_unavailable",
        "Handoff cannot reach Didit: check DIDIT_API_BASE_URL and this server's network, then try again.",
        { attempts },
      );
    }
    if (failure.kind === "network") {
      const u = unknownOutcome(req, "The connection to Didit broke off: try again in a moment.", {
        attempts,
      });
      return fail(req, "upstream_unavailable", u.message, u.details);
    }
    const status = failure.status;
    if (status === 429) {
      const wait = seconds(retryAfterMs ?? failure.retryAfterMs ?? 60_000);
      return fail(
        req,
        "rate_limited",
        `Didit is rate-limiting this application's API key: try again in ${wait} s.`,
        { upstreamStatus: status, attempts, retryAfterSeconds: wait },
      );
    }
    if (status >= 500) {
      const u = unknownOutcome(
        req,
        `Didit is unavailable right now (HTTP ${status}): try again in a few minutes.`,
        { upstreamStatus: status, attempts },
      );
      return fail(req, "upstream_unavailable", u.message, u.details);
    }
    if (status >= 300 && status < 400) {
      return fail(
        req,
        "upstream_error",
        "Didit redirected the request, which would drop the API key: check DIDIT_API_BASE_URL (Didit's origin, https://verification.didit.me).",
        { upstreamStatus: status, attempts },
      );
    }
    return fail(req, "upstream_error", MESSAGES.upstream_error, { upstreamStatus: status, attempts });
  }

  async function attempt(
    url: string,
    init: RequestInit,
  ): Promise<
    { ok: true; status: number; headers: Headers; text: string } | { ok: false; failure: AttemptFailure }
  > {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Timeout("timeout")), timeoutMs);
    let opened = false;
    try {
      const res = await fetchImpl(url, { ...init, signal: controller.signal, redirect: "manual" });
      opened = true;
      const text = await res.text();
      return { ok: true, status: res.status, headers: res.headers, text };
    } catch (error) {
      if (controller.signal.aborted && controller.signal.reason instanceof Timeout) {
        return { ok: false, failure: { kind: "timeout" } };
      }
      if (!opened && isConnectError(error)) return { ok: false, failure: { kind: "connect" } };
      return { ok: false, failure: { kind: "network" } };
    } finally {
      clearTimeout(timer);
    }
  }

  async function call<T>(caller: DiditCaller, req: Request<T>): Promise<T> {
    const base = baseUrl(req.operation);
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) search.set(k, String(v));
    const url = `${base}/v3/${req.path}${search.size > 0 ? `?${search}` : ""}`;
    const headers: Record<string, string> = { accept: "application/json" };
    if (req.body !== undefined) headers["content-type"] = "application/json";
    const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
    const cls = RETRY_CLASS[req.operation];
    let waited = 0;
    let ambiguous = false;

    for (let attempts = 1; ; attempts++) {
      if (limiter) {
        try {
          await limiter.acquire(caller.id, req.method === "GET" ? "read" : "write");
        } catch (error) {
          if (!(error instanceof LimiterWaitTooLong)) throw error;
          const wait = Math.max(1, Math.ceil(error.retryAfterMs / 1000));
          throw fail(
            req,
            "rate_limited",
            `Handoff is holding back calls with this application's API key to stay under Didit's rate limit: try again in ${wait} s.`,
            { attempts: attempts - 1, retryAfterSeconds: wait },
          );
        }
      }
      // The key exists only for this attempt's request object.
      const result = await attempt(url, {
        method: req.method,
        headers: { ...headers, [API_KEY_HEADER]: keyOf(caller, req.operation) },
        body: payload,
      });

      let failure: AttemptFailure;
      if (result.ok && result.status >= 200 && result.status < 300) {
        return parseAnswer(req, result.text, attempts);
      } else if (result.ok) {
        const retryAfterMs =
          result.status === 429 ? parseRetryAfter(result.headers.get("retry-after"), now()) : null;
        failure = { kind: "status", status: result.status, retryAfterMs };
        // A repeated DELETE that finds nothing: the earlier attempt went through.
        if (
          ambiguous &&
          result.status === 404 &&
          (req.operation === "deleteSession" || req.operation === "deleteWebhookDestination")
        ) {
          return undefined as T;
        }
        if (result.status < 500 && result.status !== 429 && (result.status < 300 || result.status >= 400)) {
          const body = parseJson(result.text);
          const refusal = mapRefusal(req.operation, result.status, body, {
            shareToken: req.shareToken,
            expectedApplicationId: req.expectedApplicationId,
            nowSeconds: Math.floor(now() / 1000),
          });
          throw fail(req, refusal.code, refusal.message, {
            upstreamStatus: result.status,
            attempts,
            ...(refusal.field ? { field: refusal.field } : {}),
          });
        }
      } else {
        failure = result.failure;
      }

      const retryAfterMs = failure.kind === "status" ? failure.retryAfterMs : null;
      if (!isRetryable(cls, failure) || attempts > maxRetries)
        throw toError(req, failure, attempts, retryAfterMs);
      const delay = retryDelayMs(attempts, retryAfterMs, backoff);
      if (waited + delay > retryBudgetMs) {
        // Waiting that long would hold the officer (or the job) too long: fail now, say when.
        throw toError(req, failure, attempts, retryAfterMs ?? delay);
      }
      if (failure.kind !== "connect" && !(failure.kind === "status" && failure.status === 429))
        ambiguous = true;
      log().debug(
        {
          didit: {
            operation: req.operation,
            status: failure.kind === "status" ? failure.status : failure.kind,
            attempt: attempts,
            delayMs: delay,
          },
        },
        "didit call retried",
      );
      waited += delay;
      await sleep(delay);
    }
  }

  function parseJson(text: string): unknown {
    if (text.trim() === "") return null;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return null;
    }
  }

  function parseAnswer<T>(req: Request<T>, text: string, attempts: number): T {
    if (req.schema === null) return undefined as T;
    const parsed = req.schema.safeParse(parseJson(text));
    if (parsed.success) return parsed.data;
    // 2xx: Didit acted (an import created its clone) but the answer cannot be read.
    const u = unknownOutcome(req, MESSAGES.malformed, { attempts });
    throw fail(req, "upstream_unavailable", u.message, u.details);
  }

  const seg = (id: string) => encodeURIComponent(id);

  return {
    baseUrl: () => baseUrl("getDecision"),
    listSessions(caller, query: ListSessionsQuery = {}) {
      const offset = query.offset ?? 0;
      return call(caller, {
        operation: "listSessions",
        method: "GET",
        path: "sessions/",
        query: {
          session_kind: query.kind,
          status:
            query.status && query.status.length > 0 ? statusFilter(query.status, query.kind) : undefined,
          vendor_data: query.vendorData,
          search: query.search,
          workflow_id: query.workflowId,
          date_from: query.dateFrom,
          date_to: query.dateTo,
          limit: query.limit,
          offset: query.offset,
        },
        schema: parseSessionList(offset),
      });
    },

    getDecision(caller, sessionId) {
      return call(caller, {
        operation: "getDecision",
        method: "GET",
        path: `session/${seg(sessionId)}/decision/`,
        schema: decisionSchema,
      });
    },

    share(caller, sessionId, input) {
      return call(caller, {
        operation: "share",
        method: "POST",
        path: `session/${seg(sessionId)}/share/`,
        body: {
          for_application_id: input.forApplicationId,
          ...(input.ttlSeconds === undefined ? {} : { ttl_in_seconds: input.ttlSeconds }),
        },
        schema: shareSchema,
      });
    },

    importShared(caller, input) {
      return call(caller, {
        operation: "importShared",
        method: "POST",
        path: "session/import-shared/",
        body: {
          share_token: input.shareToken,
          workflow_id: input.workflowId,
          vendor_data: input.vendorData,
          trust_review: input.trustReview,
        },
        schema: importSchema,
        shareToken: input.shareToken,
        expectedApplicationId: input.expectedApplicationId,
      });
    },

    async updateStatus(caller, sessionId, input) {
      const answer = await call(caller, {
        operation: "updateStatus",
        method: "PATCH",
        path: `session/${seg(sessionId)}/update-status/`,
        body: { new_status: input.newStatus, ...(input.comment ? { comment: input.comment } : {}) },
        schema: updateStatusSchema,
      });
      return { sessionId: answer.session_id ?? sessionId };
    },

    async deleteSession(caller, sessionId) {
      await call(caller, {
        operation: "deleteSession",
        method: "DELETE",
        path: `session/${seg(sessionId)}/delete/`,
        schema: null,
      });
    },

    listWebhookDestinations(caller) {
      return call(caller, {
        operation: "listWebhookDestinations",
        method: "GET",
        path: "webhook/destinations/",
        schema: destinationListSchema,
      });
    },

    getWebhookDestination(caller, id) {
      return call(caller, {
        operation: "getWebhookDestination",
        method: "GET",
        path: `webhook/destinations/${seg(id)}/`,
        schema: destinationSchema,
      });
    },

    createWebhookDestination(caller, input) {
      return call(caller, {
        operation: "createWebhookDestination",
        method: "POST",
        path: "webhook/destinations/",
        body: {
          label: input.label,
          url: input.url,
          enabled: input.enabled ?? true,
          webhook_version: "v3",
          subscribed_events: input.subscribedEvents,
        },
        schema: destinationSchema,
      });
    },

    updateWebhookDestination(caller, id, input) {
      return call(caller, {
        operation: "updateWebhookDestination",
        method: "PATCH",
        path: `webhook/destinations/${seg(id)}/`,
        body: {
          ...(input.label === undefined ? {} : { label: input.label }),
          ...(input.url === undefined ? {} : { url: input.url }),
          ...(input.enabled === undefined ? {} : { enabled: input.enabled }),
          ...(input.subscribedEvents === undefined ? {} : { subscribed_events: input.subscribedEvents }),
        },
        schema: destinationSchema,
      });
    },

    async deleteWebhookDestination(caller, id) {
      await call(caller, {
        operation: "deleteWebhookDestination",
        method: "DELETE",
        path: `webhook/destinations/${seg(id)}/`,
        schema: null,
      });
    },
  };
}
