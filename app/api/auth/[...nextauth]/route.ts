import type { NextRequest } from "next/server";
import { getEnv } from "@/lib/env";
import { handlers } from "@/lib/server/auth/next-auth";
import { routeMethods } from "@/lib/server/http/methods";
import { requestIdFrom } from "@/lib/server/http/request";

/**
 * Auth.js builds its redirects from `req.url`, and Next reports a request to 127.0.0.1 (any
 * loopback IP) as `localhost`: a console opened at http://127.0.0.1:3000 was sent to localhost,
 * without its cookies. Auth.js reads only the standard Request, so it gets one whose URL carries
 * the host the client used (X-Forwarded-Host, which Next sets from Host and Auth.js trusts for its
 * own URLs too). AUTH_URL, when set, still wins inside Auth.js.
 */
function atRequestedHost(req: NextRequest): NextRequest {
  const host = req.headers.get("x-forwarded-host")?.split(",")[0]?.trim() || req.headers.get("host");
  // With AUTH_URL, next-auth rewrites the URL itself (and needs a NextRequest for it).
  if (getEnv().AUTH_URL) return req;
  const current = new URL(req.url);
  if (!host || host === current.host || !/^[A-Za-z0-9.-]+(?::\d{1,5})?$/.test(host)) return req;
  const url = new URL(current.pathname + current.search, `${current.protocol}//${host}`);
  const init = { method: req.method, headers: req.headers, body: req.body, duplex: "half" };
  return new Request(url, init as RequestInit) as NextRequest;
}

/**
 * Auth.js answers some requests with `Response.redirect()`, whose headers are immutable: the
 * request id goes onto a copy (status, every header and Set-Cookie, body), never onto the original.
 */
async function withRequestId(req: NextRequest, handler: (req: NextRequest) => Promise<Response>) {
  const response = await handler(atRequestedHost(req));
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
