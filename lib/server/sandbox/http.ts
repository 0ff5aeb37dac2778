import "server-only";
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { getEnv } from "@/lib/env";
import { getDb } from "@/lib/server/db/client";
import { loggableError } from "@/lib/server/db/errors";
import type { Db } from "@/lib/server/db/types";
import { getLogger } from "@/lib/server/logger";
import { authenticateApiKey } from "./applications";
import { sandboxNow } from "./clock";
import { DrfError, isUuid } from "./errors";
import { createSandboxRateLimiter, rateLimitHeaders } from "./rate-limit";
import type { Privilege } from "@/lib/server/didit-wire";
import type { SandboxProfile } from "./types";

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{8,100}$/;
const requestIds = new WeakMap<Request, string>();
/** One request id per request (a well-formed incoming one, else new): the same in its logs and its response. */
function requestIdOf(req: Request): string {
  let id = requestIds.get(req);
  if (!id) {
    const incoming = req.headers.get("x-request-id");
    id = incoming && REQUEST_ID_RE.test(incoming) ? incoming : randomUUID();
    requestIds.set(req, id);
  }
  return id;
}

/**
 * The one wrapper of every Didit sandbox route: sandbox switch, `x-api-key` → application,
 * privilege, per-key rate limit, the sandbox clock, and Didit's DRF-style error bodies.
 */

export type SandboxApp = { id: string; name: string; profile: SandboxProfile; privileges: Privilege[] };

export type SandboxHandlerArgs<P> = {
  req: Request;
  app: SandboxApp;
  params: P;
  now: Date;
  origin: string;
  db: Db;
};

type RouteOptions<P> = {
  privilege: Privilege;
  rate: "read" | "write";
  /** Didit answers a missing or unknown key with 401 on the share endpoint, 403 elsewhere. */
  unauthorizedStatus?: 401 | 403;
  /** Path parameters that must be uuids: anything else is 404 before authentication, as in Django. */
  uuidParams?: (keyof P & string)[];
};

type RouteContext<P> = { params: Promise<P> };

const PERMISSION_DENIED = { detail: "You do not have permission to perform this action." };

/** A JSON response in Didit's style. */
export function drf(status: number, body?: unknown, headers?: HeadersInit): Response {
  if (status === 204 || body === undefined) return new Response(null, { status, headers });
  return Response.json(body, { status, headers });
}

const disabled = () => drf(404, { detail: "Not found." });

/** Paths the sandbox does not have: Django's 404 in DRF's JSON. */
export async function sandboxNotFound(): Promise<Response> {
  return disabled();
}

/**
 * The request body as a JSON object. An empty body counts as `{}` (DRF does the same); malformed
 * JSON and non-object bodies are 400s.
 */
export async function readSandboxJson(req: Request): Promise<Record<string, unknown>> {
  const text = await req.text();
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : "invalid JSON";
    throw new DrfError(400, { detail: `JSON parse error - ${reason}` });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const got =
      value === null
        ? "null"
        : Array.isArray(value)
          ? "list"
          : typeof value === "string"
            ? "str"
            : typeof value === "number"
              ? Number.isInteger(value)
                ? "int"
                : "float"
              : "bool";
    throw new DrfError(400, { non_field_errors: [`Invalid data. Expected a dictionary, but got ${got}.`] });
  }
  return value as Record<string, unknown>;
}

/** The origin the client used: a proxy's x-forwarded-proto/-host win over the request URL. */
export function requestOrigin(req: Request): string {
  const url = new URL(req.url);
  const proto = req.headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  const host = req.headers.get("x-forwarded-host")?.split(",")[0]?.trim();
  const scheme = proto === "http" || proto === "https" ? proto : url.protocol.replace(/:$/, "");
  return `${scheme}://${host && /^[A-Za-z0-9.\-:[\]]+$/.test(host) ? host : url.host}`;
}

/** The rate limiter's clock (wall time, not the sandbox clock); tests replace `now` instead of sleeping. */
export const rateLimitClock = { now: () => Date.now() };

const limiterStore = globalThis as unknown as {
  __sandboxRateLimiter?: { key: string; limiter: ReturnType<typeof createSandboxRateLimiter> };
};

function rateLimiter() {
  const env = getEnv();
  const key = `${env.SANDBOX_RATE_LIMIT_READS}/${env.SANDBOX_RATE_LIMIT_WRITES}`;
  if (limiterStore.__sandboxRateLimiter?.key !== key) {
    limiterStore.__sandboxRateLimiter = {
      key,
      limiter: createSandboxRateLimiter({
        reads: env.SANDBOX_RATE_LIMIT_READS,
        writes: env.SANDBOX_RATE_LIMIT_WRITES,
      }),
    };
  }
  return limiterStore.__sandboxRateLimiter.limiter;
}

function serverError(error: unknown, req: Request): Response {
  // Request headers and bodies are never logged, so no key or token reaches the log.
  getLogger().error(
    { err: loggableError(error), route: routeName(req), requestId: requestIdOf(req) },
    "sandbox request failed",
  );
  return drf(500, { detail: "A server error occurred." });
}

function routeName(req: Request): string {
  try {
    return `${req.method} ${new URL(req.url).pathname}`;
  } catch {
    return req.method;
  }
}

/** Every sandbox response carries the request id that its log lines carry. */
function withRequestId<P>(
  inner: (req: Request, ctx: RouteContext<P>) => Promise<Response>,
): (req: Request, ctx: RouteContext<P>) => Promise<Response> {
  return async (req, ctx) => {
    const response = await inner(req, ctx);
    response.headers.set("x-request-id", requestIdOf(req));
    return response;
  };
}

export function sandboxRoute<P = Record<string, never>>(
  opts: RouteOptions<P>,
  handler: (args: SandboxHandlerArgs<P>) => Promise<Response>,
): (req: Request, ctx: RouteContext<P>) => Promise<Response> {
  return withRequestId<P>(async (req, ctx) => {
    try {
      const env = getEnv();
      if (!env.SANDBOX_ENABLED) return disabled();
      const params = ((await ctx?.params) ?? {}) as P;
      for (const name of opts.uuidParams ?? []) {
        if (!isUuid(params[name])) return drf(404, { detail: "Not found." });
      }
      const db = await getDb();
      const key = req.headers.get("x-api-key");
      const owner = key ? await authenticateApiKey(db, key) : null;
      if (!owner) {
        if (opts.unauthorizedStatus === 401) {
          return drf(
            401,
            {
              detail: key
                ? "Incorrect authentication credentials."
                : "Authentication credentials were not provided.",
            },
            { "WWW-Authenticate": 'ApiKey realm="api"' },
          );
        }
        return drf(403, PERMISSION_DENIED);
      }
      let limitHeaders: Record<string, string> = {};
      if (env.SANDBOX_RATE_LIMIT_ENABLED) {
        const result = rateLimiter().hit(
          owner.keyId,
          opts.rate === "read" ? "GET" : "POST",
          rateLimitClock.now(),
        );
        limitHeaders = rateLimitHeaders(result);
        if (!result.allowed) {
          return drf(
            429,
            { detail: `Request was throttled. Expected available in ${result.retryAfterSeconds} seconds.` },
            limitHeaders,
          );
        }
      }
      const withLimits = (response: Response) => {
        for (const [name, value] of Object.entries(limitHeaders)) response.headers.set(name, value);
        return response;
      };
      if (!owner.app.privileges.includes(opts.privilege)) return withLimits(drf(403, PERMISSION_DENIED));
      try {
        const now = await sandboxNow(db);
        const response = await handler({ req, app: owner.app, params, now, origin: requestOrigin(req), db });
        return withLimits(response);
      } catch (error) {
        if (error instanceof DrfError) return withLimits(drf(error.status, error.body));
        return withLimits(serverError(error, req));
      }
    } catch (error) {
      if (error instanceof DrfError) return drf(error.status, error.body);
      return serverError(error, req);
    }
  });
}

/** For the methods a Didit endpoint does not have: DRF's 405 (404 while the sandbox is off). */
export async function methodNotAllowed(req: Request): Promise<Response> {
  if (!getEnv().SANDBOX_ENABLED) return disabled();
  return drf(405, { detail: `Method "${req.method.toUpperCase()}" not allowed.` });
}

function sameSecret(given: string, expected: string): boolean {
  // Hash both sides so the comparison is constant-time regardless of length.
  const a = createHash("sha256").update(given, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b);
}

export type SandboxAdminArgs<P> = { req: Request; params: P; db: Db; origin: string };

/** The operator API of the sandbox: `Authorization: Bearer <SANDBOX_ADMIN_TOKEN>`. */
export function sandboxAdminRoute<P = Record<string, never>>(
  handler: (args: SandboxAdminArgs<P>) => Promise<Response>,
): (req: Request, ctx: RouteContext<P>) => Promise<Response> {
  return withRequestId<P>(async (req, ctx) => {
    try {
      const env = getEnv();
      if (!env.SANDBOX_ENABLED) return disabled();
      const header = req.headers.get("authorization") ?? "";
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      const expected = env.SANDBOX_ADMIN_TOKEN;
      if (!match || !expected || !sameSecret(match[1]!, expected)) {
        return drf(
          401,
          { detail: "Invalid or missing admin token." },
          { "WWW-Authenticate": 'Bearer realm="sandbox-admin"' },
        );
      }
      const params = ((await ctx?.params) ?? {}) as P;
      const db = await getDb();
      return await handler({ req, params, db, origin: requestOrigin(req) });
    } catch (error) {
      if (error instanceof DrfError) return drf(error.status, error.body);
      return serverError(error, req);
    }
  });
}
