import "server-only";
import { errorBody } from "./errors";
import { requestIdFrom } from "./request";

/**
 * Next's router percent-decodes the path to match dynamic routes and, when that fails
 * (`/api/users/%ff%fe`, `/api/%c0`), answers a bare text 500 before any route handler runs. The
 * proxy (middleware) runs before that matching, so it is where such a path gets our envelope.
 */
export function isUndecodablePath(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return false;
  } catch {
    return true;
  }
}

export function undecodablePathResponse(req: Request): Response {
  const requestId = requestIdFrom(req.headers);
  return Response.json(
    errorBody("bad_request", "The request path is not valid percent-encoded UTF-8.", requestId),
    { status: 400, headers: { "x-request-id": requestId, "cache-control": "no-store" } },
  );
}
