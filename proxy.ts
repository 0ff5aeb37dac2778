import { NextResponse, type NextRequest } from "next/server";
import { getEnv } from "@/lib/env";
import { isHttps, requestIdFrom } from "@/lib/server/http/request";
import { cspOrigin, newNonce, pageContentSecurityPolicy } from "@/lib/server/http/security-headers";
import { isUndecodablePath, undecodablePathResponse } from "@/lib/server/http/undecodable-path";

/**
 * API and sandbox paths reach the proxy only when they hold a percent-encoding (see the matcher):
 * an undecodable one gets the JSON error of its dialect here, since Next fails on it before any
 * route handler runs; anything else passes untouched.
 */
function apiPath(req: NextRequest): Response {
  const { pathname } = req.nextUrl;
  if (!isUndecodablePath(pathname)) return NextResponse.next();
  if (pathname.startsWith("/sandbox/")) return NextResponse.json({ detail: "Not found." }, { status: 404 });
  return undecodablePathResponse(req);
}

/**
 * Pages (the static security headers of every path are in next.config.mjs): a per-request CSP
 * nonce, which Next reads from the request's CSP header and puts on its scripts; the path for
 * server components (the login callbackUrl); a request id on every page response.
 */
export function proxy(req: NextRequest) {
  const { pathname } = req.nextUrl;
  if (pathname.startsWith("/api/") || pathname.startsWith("/sandbox/")) return apiPath(req);
  const env = getEnv();
  const oidcOrigin = cspOrigin(env.AUTH_OIDC_ISSUER);
  const csp = pageContentSecurityPolicy({
    nonce: newNonce(),
    development: env.NODE_ENV === "development",
    https: isHttps(req.headers),
    // Signing in with SSO posts a form that redirects to the identity provider.
    formActionOrigins: oidcOrigin ? [oidcOrigin] : [],
  });
  const requestHeaders = new Headers(req.headers);
  const requestId = requestIdFrom(req.headers);
  requestHeaders.set("x-request-id", requestId);
  requestHeaders.set("x-handoff-path", req.nextUrl.pathname + req.nextUrl.search);
  requestHeaders.set("content-security-policy", csp);
  // Next's router fails on an undecodable page path (/reviews/%ff: a bare 500): our not-found page
  // instead, through a path no route can have (folders starting with "_" are private).
  const response = isUndecodablePath(pathname)
    ? NextResponse.rewrite(new URL("/_undecodable-path", req.url), { request: { headers: requestHeaders } })
    : NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("x-request-id", requestId);
  response.headers.set("content-security-policy", csp);
  return response;
}

export const config = {
  matcher: [
    "/((?!api/|sandbox/|_next/|favicon.ico|.*\\.(?:svg|png|jpg|ico|css|js|woff2?)$).*)",
    // API and sandbox paths only with a percent sign in the path: webhook, partner and sandbox
    // requests must not pass the proxy (it truncates bodies over 10 MB), and theirs have none.
    "/((?:api|sandbox)/.*%.*)",
  ],
};
