import { NextResponse, type NextRequest } from "next/server";
import { getEnv } from "@/lib/env";
import { isHttps } from "@/lib/server/http/request";
import { cspOrigin, newNonce, pageContentSecurityPolicy } from "@/lib/server/http/security-headers";

/**
 * Pages only (API, sandbox and static files are excluded by the matcher; the static security
 * headers of every path are in next.config.mjs): a per-request CSP nonce, which Next reads from
 * the request's CSP header and puts on its scripts; the path for server components (the login
 * callbackUrl); a request id on every page response.
 */
export function proxy(req: NextRequest) {
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
  const incoming = req.headers.get("x-request-id");
  const requestId = incoming && /^[A-Za-z0-9._:-]{8,100}$/.test(incoming) ? incoming : crypto.randomUUID();
  requestHeaders.set("x-request-id", requestId);
  requestHeaders.set("x-handoff-path", req.nextUrl.pathname + req.nextUrl.search);
  requestHeaders.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("x-request-id", requestId);
  response.headers.set("content-security-policy", csp);
  return response;
}

export const config = {
  matcher: ["/((?!api/|sandbox/|_next/|favicon.ico|.*\\.(?:svg|png|jpg|ico|css|js|woff2?)$).*)"],
};
