import "server-only";
import type { z } from "zod";
import { can, type Permission } from "@/lib/rbac";
import { resolveActor } from "@/lib/server/auth/session";
import { getDb } from "@/lib/server/db/client";
import { loggableError } from "@/lib/server/db/errors";
import { getLogger } from "@/lib/server/logger";
import type { Actor, ServiceContext } from "@/lib/server/services/context";
import { AppError, errorBody } from "./errors";
import { clientIp, requestIdFrom, userAgent } from "./request";

type Logger = ReturnType<typeof getLogger>;

export type RouteArgs<P> = {
  req: Request;
  ctx: ServiceContext;
  params: P;
  log: Logger;
};

type Options = {
  /** The permission the caller's role needs, or "public" for routes without a session. */
  permission: Permission | "public";
};

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

/**
 * Every console API route goes through this: request id, session → actor, permission check on the
 * server, one error envelope. Handlers return a Response or a JSON-serialisable value.
 */
export function apiRoute<P = Record<string, never>>(
  options: Options,
  handler: (args: RouteArgs<P>) => Promise<Response | unknown>,
) {
  return async (req: Request, context?: { params?: Promise<P> }): Promise<Response> => {
    const requestId = requestIdFrom(req.headers);
    const log = getLogger().child({ requestId });
    try {
      const db = await getDb();
      let actor: Actor | null = null;
      if (options.permission !== "public") {
        actor = await resolveActor(req.headers, db);
        if (!actor) throw new AppError("unauthenticated", "Sign in to continue.");
        if (!can(actor.role, options.permission)) {
          throw new AppError("forbidden", "Your role does not allow this.");
        }
      }
      const ctx: ServiceContext = {
        db,
        actor,
        now: () => new Date(),
        requestId,
        ip: clientIp(req.headers),
        userAgent: userAgent(req.headers),
      };
      const params = ((await context?.params) ?? {}) as P;
      const result = await handler({ req, ctx, params, log });
      const response = result instanceof Response ? result : jsonResponse(result);
      response.headers.set("x-request-id", requestId);
      return response;
    } catch (error) {
      return errorResponse(error, requestId, log);
    }
  };
}

function zodDetails(error: z.ZodError) {
  const fields: Record<string, string[]> = {};
  const form: string[] = [];
  for (const issue of error.issues) {
    const key = issue.path.join(".");
    if (!key) form.push(issue.message);
    else (fields[key] ??= []).push(issue.message);
  }
  return { fields, ...(form.length ? { form } : {}) };
}

export function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new AppError("validation_failed", "Some fields are invalid.", zodDetails(parsed.error));
  }
  return parsed.data;
}

/** Parses the JSON body: unparseable → 400, invalid → 422 with field details. */
export async function readJson<S extends z.ZodType>(req: Request, schema: S): Promise<z.infer<S>> {
  let body: unknown;
  try {
    const text = await req.text();
    body = JSON.parse(text);
  } catch {
    throw new AppError("malformed_json", "The request body is not valid JSON.");
  }
  return validate(schema, body);
}

export function readQuery<S extends z.ZodType>(req: Request, schema: S): z.infer<S> {
  const url = new URL(req.url);
  return validate(schema, Object.fromEntries(url.searchParams.entries()));
}
