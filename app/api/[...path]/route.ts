import { errorBody } from "@/lib/server/http/errors";
import { requestIdFrom } from "@/lib/server/http/request";

/** Any /api path without a route of its own: a JSON 404, never the HTML not-found page. */
function notFound(req: Request): Response {
  const requestId = requestIdFrom(req.headers);
  return Response.json(errorBody("not_found", "No such API endpoint.", requestId), {
    status: 404,
    headers: { "x-request-id": requestId },
  });
}

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
export const HEAD = notFound;
export const OPTIONS = notFound;
