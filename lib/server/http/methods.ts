import "server-only";
import { errorBody } from "./errors";
import { requestIdFrom } from "./request";

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];
type DeclaredMethod = Exclude<HttpMethod, "HEAD" | "OPTIONS">;

type Handler<Req extends Request, Ctx> = (req: Req, context?: Ctx) => Response | Promise<Response>;
export type RouteModule<Req extends Request, Ctx> = Record<
  HttpMethod,
  (req: Req, context?: Ctx) => Promise<Response>
>;

/**
 * All seven methods for a route file, so Next never answers a method itself (its 405 is bare):
 * the declared ones run, HEAD runs GET without the body, OPTIONS answers 204 with `Allow`, and
 * any other method gets our JSON 405 with `Allow`. Use it in every `app/api/**\/route.ts`:
 * `export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({ GET, POST });`
 */
export function routeMethods<Req extends Request, Ctx = unknown>(
  declared: Partial<Record<DeclaredMethod, Handler<Req, Ctx>>>,
): RouteModule<Req, Ctx> {
  const allow = allowedMethods(Object.keys(declared) as DeclaredMethod[]);
  const allowHeader = allow.join(", ");
  const notAllowed = async (req: Req) => methodNotAllowed(req, allowHeader);
  const handler = (method: DeclaredMethod) => {
    const fn = declared[method];
    return fn ? async (req: Req, context?: Ctx) => fn(req, context) : notAllowed;
  };
  const get = declared.GET;
  return {
    GET: handler("GET"),
    POST: handler("POST"),
    PUT: handler("PUT"),
    PATCH: handler("PATCH"),
    DELETE: handler("DELETE"),
    HEAD: get
      ? async (req, context) => {
          const response = await get(req, context);
          return new Response(null, { status: response.status, headers: response.headers });
        }
      : notAllowed,
    OPTIONS: async (req) =>
      new Response(null, {
        status: 204,
        headers: { allow: allowHeader, "x-request-id": requestIdFrom(req.headers) },
      }),
  };
}

function allowedMethods(declared: DeclaredMethod[]): HttpMethod[] {
  const set = new Set<HttpMethod>(declared);
  if (set.has("GET")) set.add("HEAD");
  set.add("OPTIONS");
  return HTTP_METHODS.filter((m) => set.has(m));
}

export function methodNotAllowed(req: Request, allow: string): Response {
  const requestId = requestIdFrom(req.headers);
  return Response.json(
    errorBody(
      "method_not_allowed",
      `This endpoint does not accept ${req.method}. Allowed: ${allow}.`,
      requestId,
    ),
    { status: 405, headers: { allow, "x-request-id": requestId } },
  );
}
