import "server-only";
import { AppError } from "./errors";

/**
 * CSRF defence for cookie-authenticated state changes, in two layers:
 * 1. the request must come from our own origin: a foreign `Origin` (or `Origin: null`) or
 *    `Sec-Fetch-Site: cross-site` is refused. No `Origin` at all is a non-browser client (curl,
 *    scripts), which a cross-site page cannot make a browser imitate;
 * 2. the body must be declared `application/json` (also when empty): an HTML form or a "simple"
 *    cross-origin fetch cannot send that type without a CORS preflight, which we never grant.
 * Our origin is what this server is reached as: `X-Forwarded-Host`/`X-Forwarded-Proto` when a proxy
 * sets them, else `Host` and the request URL. A browser cannot forge those headers cross-site
 * without a preflight either.
 */
export const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function first(value: string | null): string | null {
  const v = value?.split(",")[0]?.trim();
  return v ? v : null;
}

export function ownOrigins(req: Request): Set<string> {
  const url = new URL(req.url);
  const protos = new Set([url.protocol.replace(/:$/, "")]);
  const forwardedProto = first(req.headers.get("x-forwarded-proto"));
  if (forwardedProto) protos.add(forwardedProto.toLowerCase());
  const hosts = new Set([url.host.toLowerCase()]);
  for (const h of [req.headers.get("host"), first(req.headers.get("x-forwarded-host"))]) {
    if (h) hosts.add(h.trim().toLowerCase());
  }
  const origins = new Set<string>();
  for (const proto of protos) {
    for (const host of hosts) {
      // Normalise default ports away, as browsers do in Origin.
      try {
        origins.add(new URL(`${proto}://${host}`).origin);
      } catch {
        // An unusable Host header names no origin of ours.
      }
    }
  }
  return origins;
}

export function assertSameOrigin(req: Request): void {
  if (req.headers.get("sec-fetch-site")?.toLowerCase() === "cross-site") throw crossOrigin();
  const origin = req.headers.get("origin");
  if (origin === null) return;
  let normalised: string;
  try {
    normalised = new URL(origin).origin;
  } catch {
    throw crossOrigin(); // "null" (sandboxed frames, cross-origin redirects) or garbage
  }
  if (normalised === "null" || !ownOrigins(req).has(normalised)) throw crossOrigin();
}

function crossOrigin(): AppError {
  return new AppError("cross_origin_refused", "This request came from another site and was refused.");
}

/** `application/json`, optionally with `charset=utf-8`; anything else → 415. */
export function assertJsonContentType(req: Request): void {
  const header = req.headers.get("content-type");
  const [type, ...parameters] = (header ?? "").split(";").map((p) => p.trim().toLowerCase());
  const charsetOk = parameters.every((p) => !p.startsWith("charset=") || /^charset="?utf-8"?$/.test(p));
  if (type !== "application/json" || !charsetOk) {
    throw new AppError(
      "unsupported_media_type",
      "Send the request body as JSON with Content-Type: application/json.",
    );
  }
}
