import { NextResponse, type NextRequest } from "next/server";

/**
 * Pages only (API, sandbox and static files are excluded by the matcher): pass the path to server
 * components (for the login callbackUrl) and give every page response a request id.
 */
export function proxy(req: NextRequest) {
  const requestHeaders = new Headers(req.headers);
  const incoming = req.headers.get("x-request-id");
  const requestId = incoming && /^[A-Za-z0-9._:-]{8,100}$/.test(incoming) ? incoming : crypto.randomUUID();
  requestHeaders.set("x-request-id", requestId);
  requestHeaders.set("x-handoff-path", req.nextUrl.pathname + req.nextUrl.search);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("x-request-id", requestId);
  return response;
}

export const config = {
  matcher: ["/((?!api/|sandbox/|_next/|favicon.ico|.*\\.(?:svg|png|jpg|ico|css|js|woff2?)$).*)"],
};
