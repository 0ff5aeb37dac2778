import { readFileSync } from "node:fs";

// Security headers of every response (pages, API, sandbox, static files, errors and 404s), one
// list shared with the server (lib/server/http/security-headers.json). Pages get their nonce CSP
// from proxy.ts, which overrides the strict one; API, sandbox and static responses are never
// rendered as documents, so they get a CSP that allows nothing.
const SECURITY = JSON.parse(
  readFileSync(new URL("./lib/server/http/security-headers.json", import.meta.url), "utf8"),
);
const everyPath = [
  { key: "Content-Security-Policy", value: SECURITY.strictCsp },
  ...Object.entries(SECURITY.common).map(([key, value]) => ({ key, value })),
  { key: "Permissions-Policy", value: SECURITY.permissionsPolicy.join(", ") },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Didit's paths end with "/" and must be answered without a redirect (the redirect would drop the key).
  skipTrailingSlashRedirect: true,
  // PGlite ships WASM and must not be bundled; argon2 is a native addon; pino uses worker threads.
  serverExternalPackages: ["@electric-sql/pglite", "@node-rs/argon2", "pino", "postgres"],
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
  // `npm run dev` opened at http://127.0.0.1:3000 must load Next's dev scripts and HMR.
  allowedDevOrigins: ["127.0.0.1", "localhost"],
  experimental: {
    // forbidden() renders app/forbidden.tsx with a real HTTP 403.
    authInterrupts: true,
  },
  async headers() {
    return [
      { source: "/:path*", headers: everyPath },
      {
        // HSTS only on responses to https requests: Next sets x-forwarded-proto from the socket when
        // none came in. A client that forges it over plain http gets a header browsers must ignore
        // there (RFC 6797 §8.1), so no proxy check is needed for this one.
        source: "/:path*",
        has: [{ type: "header", key: "x-forwarded-proto", value: "https(?:\\s*,.*)?" }],
        headers: [{ key: "Strict-Transport-Security", value: SECURITY.hsts }],
      },
      { source: "/api/:path*", headers: [{ key: "Cache-Control", value: "no-store" }] },
    ];
  },
};

export default nextConfig;
