import "server-only";

/**
 * The Content-Security-Policy of an HTML page. The static headers every response carries
 * (nosniff, frame options, referrer and permissions policies, HSTS over https, the strict API CSP)
 * are set in next.config.mjs `headers()`; this one needs a fresh nonce per request, so proxy.ts
 * sets it. Next reads the nonce from the request's CSP header and puts it on its own scripts.
 */
export type PageCspOptions = {
  nonce: string;
  /** `next dev` needs eval for React's debugging (never in production). */
  development: boolean;
  /** Served over https: ask the browser to upgrade any http subresource. */
  https: boolean;
  /** Origins a form may be submitted (or redirected) to besides our own, e.g. the OIDC issuer. */
  formActionOrigins?: readonly string[];
};

export function newNonce(): string {
  const bytes = new Uint8Array(18);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

export function pageContentSecurityPolicy(options: PageCspOptions): string {
  const nonce = `'nonce-${options.nonce}'`;
  const directives: [string, ...string[]][] = [
    ["default-src", "'self'"],
    // 'strict-dynamic': scripts the nonce'd framework scripts load are trusted; no inline script
    // runs without the nonce. 'self' is only for browsers without strict-dynamic.
    ["script-src", "'self'", nonce, "'strict-dynamic'", ...(options.development ? ["'unsafe-eval'"] : [])],
    // Styles cannot carry the nonce everywhere: sonner and Radix's scroll lock insert <style>
    // elements at run time, and Radix positions popovers with style attributes. Scripts stay strict.
    ["style-src", "'self'", "'unsafe-inline'"],
    ["img-src", "'self'", "data:", "blob:"],
    ["font-src", "'self'"],
    ["connect-src", "'self'"],
    ["object-src", "'none'"],
    ["base-uri", "'self'"],
    ["form-action", "'self'", ...(options.formActionOrigins ?? [])],
    ["frame-ancestors", "'none'"],
    ["frame-src", "'none'"],
    ["worker-src", "'self'"],
    ["manifest-src", "'self'"],
  ];
  const policy = directives.map((d) => d.join(" "));
  if (options.https) policy.push("upgrade-insecure-requests");
  return policy.join("; ");
}

/** The origin of a URL, for a CSP source list; null when it is not an http(s) URL. */
export function cspOrigin(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.origin : null;
  } catch {
    return null;
  }
}
