import "server-only";
import type { z } from "zod";
import { can, type Permission } from "@/lib/rbac";
import { resolveActor } from "@/lib/server/auth/session";
import { getDb } from "@/lib/server/db/client";
import { loggableError } from "@/lib/server/db/errors";
import { getLogger } from "@/lib/server/logger";
import { createContext, type ServiceContext } from "@/lib/server/kernel";
import {
  claimInboundMessage,
  releaseInboundMessage,
  type InboundMessage,
} from "@/lib/server/services/partners";
import { assertJsonContentType, assertSameOrigin, STATE_CHANGING } from "./csrf";
import { AppError, errorBody } from "./errors";
import { beginIdempotent, idempotencyKeyFrom, settleIdempotent, type HeldKey } from "./idempotency";
import {
  decodeUtf8,
  DEFAULT_MAX_BODY_BYTES,
  parseJsonText,
  queryRecord,
  readRawBody,
  refuseNul,
  validate,
} from "./input";
import { diditEventId, verifyDiditRequest } from "./modes/didit";
import { SignatureRejected, verifyPartnerSignature } from "./modes/partner";
import { clientIp, requestIdFrom, userAgent } from "./request";

export { validate } from "./input";

type Logger = ReturnType<typeof getLogger>;
type Schema = z.ZodType;
type Out<S, Fallback> = S extends z.ZodType ? z.output<S> : Fallback;

/** Path params as Next passes them (already percent-decoded; catch-all segments as arrays). */
export type RawParams = Record<string, string | string[] | undefined>;
/** What Next passes as the second argument; tests may leave it out. */
export type RouteContext = { params?: Promise<object> };
export type RouteHandler = (req: Request, context?: RouteContext) => Promise<Response>;

type Declared<PS, QS, BS> = {
  /** Path params; a value failing it answers 404 (a malformed id names nothing). */
  params?: PS;
  /** The query string as a flat record; invalid → 422 with field details. */
  query?: QS;
  /** The JSON body: unparseable → 400, invalid → 422 with field details. */
  body?: BS;
  /** Largest accepted body in bytes (413 above it); 1 MiB unless set. */
  maxBodyBytes?: number;
  /** The message of that 404, e.g. "No such user." */
  notFoundMessage?: string;
};

export type SessionOptions = {
  mode?: "session";
  /** The permission the caller's role needs; "public" is the short form of `mode: "public"`. */
  permission: Permission | "public";
  /** Open to a user who signed in with a one-time password and has not changed it yet. */
  allowPendingPasswordChange?: boolean;
  /** Honours an `Idempotency-Key` request header (see idempotency.ts); for irreversible POSTs. */
  idempotent?: boolean;
};
export type PublicOptions = { mode: "public" };
export type SenderSecrets = { secrets: string[] };
export type PartnerOptions<P> = {
  mode: "partner";
  /**
   * The partner named by the request (by a path param, or a header such as `handoff-partner-id`)
   * and its current secrets (`whsec_…`), or null if unknown. Nothing in the request is verified yet.
   */
  secrets: (
    ctx: ServiceContext,
    params: P,
    headers: Headers,
  ) => Promise<(SenderSecrets & { partnerId: string }) | null>;
};
export type DiditOptions<P> = {
  mode: "didit-webhook";
  /** The application the destination belongs to and its `secret_shared_key`(s), or null. */
  secrets: (ctx: ServiceContext, params: P) => Promise<(SenderSecrets & { applicationId: string }) | null>;
};

type BaseArgs<PS, QS, BS> = {
  req: Request;
  ctx: ServiceContext;
  log: Logger;
  params: ParamsOf<PS>;
  query: Out<QS, Record<string, string>>;
  body: Out<BS, undefined>;
};
export type RouteArgs<PS = undefined, QS = undefined, BS = undefined> = BaseArgs<PS, QS, BS>;
export type PartnerRouteArgs<PS, QS, BS> = BaseArgs<PS, QS, BS> & {
  sender: { partnerId: string; messageId: string; sentAt: Date };
};
export type DiditRouteArgs<PS, QS, BS> = BaseArgs<PS, QS, BS> & {
  sender: { applicationId: string; eventId: string };
};

type Result = Promise<Response | unknown>;
type Opt<S> = S | undefined;
/** The params type a handler sees: a declared schema's output, else Next's raw params. */
type ParamsOf<PS> = PS extends z.ZodType ? z.output<PS> : RawParams;

/** The implementation's view of any options object. */
type AnyOptions = Declared<Schema, Schema, Schema> & {
  mode?: "session" | "public" | "partner" | "didit-webhook";
  permission?: Permission | "public";
  allowPendingPasswordChange?: boolean;
  idempotent?: boolean;
  secrets?: (
    ctx: ServiceContext,
    params: never,
    headers: Headers,
  ) => Promise<(SenderSecrets & Record<string, unknown>) | null>;
};

/**
 * Every API route goes through this: request id, authentication for its mode, the declared
 * params/query/body parsed (NUL bytes refused everywhere), one error envelope. Modes:
 * - `session` (default): the session cookie's user, with `permission`; state changes must be
 *   same-origin and `application/json` (see csrf.ts); a pending one-time password allows only
 *   routes that opt in;
 * - `public`: no caller identity;
 * - `partner`: Standard Webhooks signature over the raw body, `webhook-id` accepted once;
 * - `didit-webhook`: Didit's `X-Signature-V2`/`X-Signature`, `event_id` handled once (a
 *   duplicate answers 200 without running the handler).
 * A session route with `idempotent: true` replays its stored answer for a repeated
 * `Idempotency-Key` (checked after authentication and input validation, as Stripe does).
 * Handlers return a Response or a JSON-serialisable value (undefined → 204).
 */
export function apiRoute<
  PS extends Opt<Schema> = undefined,
  QS extends Opt<Schema> = undefined,
  BS extends Opt<Schema> = undefined,
>(
  options: Declared<PS, QS, BS> & PartnerOptions<ParamsOf<PS>>,
  handler: (args: PartnerRouteArgs<PS, QS, BS>) => Result,
): RouteHandler;
export function apiRoute<
  PS extends Opt<Schema> = undefined,
  QS extends Opt<Schema> = undefined,
  BS extends Opt<Schema> = undefined,
>(
  options: Declared<PS, QS, BS> & DiditOptions<ParamsOf<PS>>,
  handler: (args: DiditRouteArgs<PS, QS, BS>) => Result,
): RouteHandler;
export function apiRoute<
  PS extends Opt<Schema> = undefined,
  QS extends Opt<Schema> = undefined,
  BS extends Opt<Schema> = undefined,
>(
  options: Declared<PS, QS, BS> & (SessionOptions | PublicOptions),
  handler: (args: RouteArgs<PS, QS, BS>) => Result,
): RouteHandler;
export function apiRoute(options: AnyOptions, handler: (args: never) => Result): RouteHandler {
  const run = handler as (args: unknown) => Result;
  const mode =
    options.mode ?? ("permission" in options && options.permission === "public" ? "public" : "session");
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  return async (req, context) => {
    const requestId = requestIdFrom(req.headers);
    const log = getLogger().child({ requestId });
    let claimed: { ctx: ServiceContext; message: InboundMessage } | null = null;
    let held: { ctx: ServiceContext; key: HeldKey } | null = null;
    try {
      if (mode === "session" && STATE_CHANGING.has(req.method.toUpperCase())) {
        assertSameOrigin(req);
        assertJsonContentType(req);
      }
      const ctx = createContext(await getDb(), {
        requestId,
        ip: clientIp(req.headers),
        userAgent: userAgent(req.headers),
      });
      if (mode === "session") await authenticate(req, ctx, options.permission ?? "public", options);
      const params = parseParams(options, (await context?.params) ?? {});
      const query = parseQuery(options, req);

      let body: unknown;
      let json: unknown;
      let sender: Sender | undefined;
      if (mode === "partner" || mode === "didit-webhook") {
        const raw = await readRawBody(req, limit);
        const read = mode === "partner" ? readPartnerRequest : readDiditRequest;
        const signed = await read(options, req, ctx, params, raw);
        if (!(await claimInboundMessage(ctx, signed.message))) {
          if (mode === "partner") throw new AppError("replayed", "This webhook-id was already accepted.");
          log.info({ eventId: signed.message.messageId }, "duplicate Didit event ignored");
          return withRequestId(jsonResponse({ received: true, duplicate: true }), requestId);
        }
        claimed = { ctx, message: signed.message };
        ({ body, sender } = signed);
      } else if (options.body) {
        if (mode === "public") assertJsonContentType(req);
        json = parseJsonText(decodeUtf8(await readRawBody(req, limit)));
        body = validate(options.body, json);
      }
      if (mode === "session" && options.idempotent) {
        const key = idempotencyKeyFrom(req.headers);
        if (key !== null) {
          const begun = await beginIdempotent(ctx, { key, req, json });
          if (begun instanceof Response) return withRequestId(begun, requestId);
          held = { ctx, key: begun };
        }
      }

      const args = { req, ctx, log, params, query, body, ...(sender ? { sender } : {}) };
      const result = await run(args);
      const response = toResponse(result);
      if (held) await settleIdempotent(held.ctx, held.key, response, log);
      return withRequestId(response, requestId);
    } catch (error) {
      if (claimed) {
        const { ctx, message } = claimed;
        await releaseInboundMessage(ctx, message).catch((err: unknown) =>
          log.error({ err: loggableError(err) }, "could not release an inbound message id"),
        );
      }
      if (error instanceof SignatureRejected) log.warn({ reason: error.reason, mode }, "signature refused");
      const response = errorResponse(error, requestId, log);
      if (held) await settleIdempotent(held.ctx, held.key, response, log);
      return response;
    }
  };
}

type Sender =
  { partnerId: string; messageId: string; sentAt: Date } | { applicationId: string; eventId: string };
type SignedRequest = { body: unknown; sender: Sender; message: InboundMessage };

function lookup<Found>(
  options: AnyOptions,
  ctx: ServiceContext,
  params: unknown,
  headers: Headers,
): Promise<Found | null> {
  if (!options.secrets) throw new Error(`apiRoute: mode ${options.mode} needs a secrets lookup`);
  return (
    options.secrets as (ctx: ServiceContext, params: unknown, headers: Headers) => Promise<Found | null>
  )(ctx, params, headers);
}

function utf8OrNull(raw: Uint8Array): string | null {
  try {
    return decodeUtf8(raw);
  } catch {
    return null;
  }
}

/** Standard Webhooks over the raw body, then the body parsed; the message id is claimed by the caller. */
async function readPartnerRequest(
  options: AnyOptions,
  req: Request,
  ctx: ServiceContext,
  params: unknown,
  raw: Uint8Array,
): Promise<SignedRequest> {
  const found = await lookup<SenderSecrets & { partnerId: string }>(options, ctx, params, req.headers);
  if (!found) throw new SignatureRejected("unknown partner");
  const text = utf8OrNull(raw);
  if (text === null) throw new SignatureRejected("body is not UTF-8");
  const verified = verifyPartnerSignature(text, req.headers, found.secrets, ctx.now());
  return {
    body: options.body ? validate(options.body, parseJsonText(text)) : undefined,
    sender: { partnerId: found.partnerId, ...verified },
    message: { scope: `partner:${found.partnerId}`, messageId: verified.messageId },
  };
}

/** Didit's signature over the raw bytes, then the event's freshness, id and body. */
async function readDiditRequest(
  options: AnyOptions,
  req: Request,
  ctx: ServiceContext,
  params: unknown,
  raw: Uint8Array,
): Promise<SignedRequest> {
  const found = await lookup<SenderSecrets & { applicationId: string }>(options, ctx, params, req.headers);
  if (!found) throw new SignatureRejected("unknown application");
  const text = utf8OrNull(raw); // not UTF-8: only X-Signature over the raw bytes can vouch for it
  const now = ctx.now();
  verifyDiditRequest(raw, text, req.headers, found.secrets, now);
  if (text === null) throw new AppError("malformed_json", "The request body is not valid UTF-8 JSON.");
  const payload = parseJsonText(text);
  const eventId = diditEventId(payload, now);
  refuseNul(payload);
  return {
    body: options.body ? validate(options.body, payload) : undefined,
    sender: { applicationId: found.applicationId, eventId },
    message: { scope: `didit:${found.applicationId}`, messageId: eventId },
  };
}

async function authenticate(
  req: Request,
  ctx: ServiceContext,
  permission: Permission | "public",
  options: AnyOptions,
): Promise<void> {
  const actor = await resolveActor(req.headers, ctx.db);
  if (!actor) throw new AppError("unauthenticated", "Sign in to continue.");
  if (actor.mustChangePassword && !options.allowPendingPasswordChange) {
    throw new AppError("password_change_required", "Change your one-time password first.");
  }
  if (permission !== "public" && !can(actor.role, permission)) {
    throw new AppError("forbidden", "Your role does not allow this.");
  }
  ctx.actor = actor;
}

function parseParams(options: AnyOptions, raw: object): unknown {
  refuseNul(raw);
  if (!options.params) return raw;
  const parsed = options.params.safeParse(raw);
  if (!parsed.success) throw new AppError("not_found", options.notFoundMessage ?? "Not found.");
  return parsed.data;
}

function parseQuery(options: AnyOptions, req: Request): unknown {
  const record = queryRecord(req);
  refuseNul(record);
  return options.query ? validate(options.query, record) : record;
}

function toResponse(result: unknown): Response {
  if (result instanceof Response) return result;
  if (result === undefined) return new Response(null, { status: 204 });
  return jsonResponse(result);
}

/** Sets the request id, also on a Response whose headers are immutable (e.g. Response.redirect). */
export function withRequestId(response: Response, requestId: string): Response {
  try {
    response.headers.set("x-request-id", requestId);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    copy.headers.set("x-request-id", requestId);
    return copy;
  }
}

export function jsonResponse(data: unknown, status = 200, headers?: HeadersInit): Response {
  return Response.json(data, { status, headers });
}

export function errorResponse(error: unknown, requestId: string, log: Logger): Response {
  if (error instanceof AppError) {
    if (error.status >= 500) log.error({ err: loggableError(error) }, error.message);
    return jsonResponse(errorBody(error.code, error.message, requestId, error.details), error.status, {
      "x-request-id": requestId,
    });
  }
  log.error({ err: loggableError(error) }, "unhandled error");
  return jsonResponse(
    errorBody(
      "internal_error",
      "Something went wrong on our side. Quote the request id if you report it.",
      requestId,
    ),
    500,
    { "x-request-id": requestId },
  );
}
