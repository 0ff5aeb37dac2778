// Security headers of every response (pages, API, sandbox, static files, errors and 404s). Pages
// get their nonce CSP from proxy.ts, which overrides the strict one below; API, sandbox and static
// responses are never rendered as documents, so they get a CSP that allows nothing.
const STRICT_CSP = "default-src 'none'; frame-ancestors 'none'";
const PERMISSIONS_POLICY = [
  "accelerometer=()",
  "autoplay=()",
  "bluetooth=()",
  "browsing-topics=()",
  "camera=()",
  "display-capture=()",
  "encrypted-media=()",
  "geolocation=()",
  "gyroscope=()",
  "hid=()",
  "idle-detection=()",
  "magnetometer=()",
  "microphone=()",
  "midi=()",
  "payment=()",
  "publickey-credentials-get=()",
  "screen-wake-lock=()",
  "serial=()",
  "usb=()",
  "xr-spatial-tracking=()",
].join(", ");

const everyPath = [
  { key: "Content-Security-Policy", value: STRICT_CSP },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: PERMISSIONS_POLICY },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
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
        headers: [{ key: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains" }],
      },
      { source: "/api/:path*", headers: [{ key: "Cache-Control", value: "no-store" }] },
    ];
  },
};

export default nextConfig;
