/** @type {import('next').NextConfig} */
const nextConfig = {
  // Didit's paths end with "/" and must be answered without a redirect (the redirect would drop the key).
  skipTrailingSlashRedirect: true,
  // PGlite ships WASM and must not be bundled; argon2 is a native addon; pino uses worker threads.
  serverExternalPackages: ["@electric-sql/pglite", "@node-rs/argon2", "pino", "postgres"],
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
};

export default nextConfig;
