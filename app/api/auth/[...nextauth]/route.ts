import type { NextRequest } from "next/server";
import { handlers } from "@/lib/server/auth/next-auth";
import { routeMethods } from "@/lib/server/http/methods";
import { requestIdFrom } from "@/lib/server/http/request";

/**
 * Auth.js answers some requests with `Response.redirect()`, whose headers are immutable: the
 * request id goes onto a copy (status, every header and Set-Cookie, body), never onto the original.
 */
async function withRequestId(req: NextRequest, handler: (req: NextRequest) => Promise<Response>) {
  const response = await handler(req);
  const headers = new Headers();
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers.set(name, value);
  });
  for (const cookie of response.headers.getSetCookie()) headers.append("set-cookie", cookie);
  headers.set("x-request-id", requestIdFrom(req.headers));
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods<NextRequest>({
  GET: (req) => withRequestId(req, handlers.GET),
  POST: (req) => withRequestId(req, handlers.POST),
});
