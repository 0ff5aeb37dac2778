import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import path from "node:path";
import { z } from "zod";

/**
 * The only reader of process.env. Parsed once, lazily, at first use (not at import, so `next build`
 * needs no secrets). In development the embedded default needs no configuration: missing secrets are
 * generated once and kept in `<HANDOFF_DATA_DIR>/secrets.json`. In production they are required.
 */

const booleanString = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const base64Key = z.string().refine((v) => {
  try {
    return Buffer.from(v, "base64").length === 32;
  } catch {
    return false;
  }
}, "must be 32 bytes, base64-encoded (openssl rand -base64 32)");

/** One IPv4/IPv6 address or CIDR block: `10.0.0.0/8`, `127.0.0.1`, `fd00::/8`. */
function isIpOrCidr(entry: string): boolean {
  const [address = "", prefix, ...rest] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

const trustedProxies = z
  .string()
  .default("")
  .transform((v) =>
    v
      .split(",")
      .map((e) => e.trim())
      .filter(Boolean),
  )
  .refine(
    (entries) => entries.every(isIpOrCidr),
    "comma-separated IPv4/IPv6 addresses or CIDR blocks, e.g. 127.0.0.1/32,10.0.0.0/8",
  );

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  HANDOFF_DATA_DIR: z.string().min(1).default(".data"),
  DATABASE_URL: z.string().url().optional(),
  PGLITE_DIR: z.string().min(1).optional(),
  TEST_DATABASE_URL: z.string().url().optional(),
  AUTH_SECRET: z.string().min(32, "must be at least 32 characters (openssl rand -base64 32)"),
  HANDOFF_ENCRYPTION_KEY: base64Key,
  /** The key being rotated out: still decrypts, never encrypts (`npm run keys:reencrypt`). */
  HANDOFF_ENCRYPTION_KEY_PREVIOUS: base64Key.optional(),
  /** This console's own origin as Didit and partners reach it (webhook receiver, partner inbox URLs). */
  HANDOFF_PUBLIC_URL: z.string().url().optional(),
  /** Didit's API origin; unset: this instance's sandbox while it is on, else verification.didit.me. */
  DIDIT_API_BASE_URL: z.string().url().optional(),
  DIDIT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  DIDIT_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  /** The client's own limiter per key (Didit allows about 600 reads and 300 writes a minute). */
  DIDIT_RATE_LIMIT_ENABLED: booleanString.default(true),
  DIDIT_RATE_LIMIT_READS: z.coerce.number().int().min(1).default(600),
  DIDIT_RATE_LIMIT_WRITES: z.coerce.number().int().min(1).default(300),
  AUTH_SESSION_MAX_AGE: z.coerce
    .number()
    .int()
    .min(300)
    .max(7 * 24 * 3600)
    .default(8 * 3600),
  /** The public origin (next-auth reads it too); set behind a proxy on another origin. */
  AUTH_URL: z.string().url().optional(),
  AUTH_OIDC_ISSUER: z.string().url().optional(),
  AUTH_OIDC_CLIENT_ID: z.string().min(1).optional(),
  AUTH_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  AUTH_OIDC_NAME: z.string().min(1).default("Single sign-on"),
  AUTH_OIDC_ROLE_CLAIM: z.string().min(1).default("handoff_role"),
  TRUSTED_PROXIES: trustedProxies,
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  HANDOFF_SEED_DEMO: booleanString.optional(),
  JOBS_WORKER_ENABLED: booleanString.default(true),
  JOBS_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
  JOBS_POLL_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  JOBS_LEASE_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  /** How often a partner's console that offers pick-up is polled for tokens (partners.pickup). */
  PICKUP_INTERVAL_MS: z.coerce.number().int().min(1000).max(3_600_000).default(45_000),
  SANDBOX_ENABLED: booleanString.default(true),
  SANDBOX_PROFILE: z.enum(["recipe", "spec"]).default("recipe"),
  SANDBOX_ADMIN_TOKEN: z.string().min(24, "must be at least 24 characters").optional(),
  SANDBOX_JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  SANDBOX_RATE_LIMIT_ENABLED: booleanString.default(true),
  SANDBOX_RATE_LIMIT_READS: z.coerce.number().int().min(1).default(600),
  SANDBOX_RATE_LIMIT_WRITES: z.coerce.number().int().min(1).default(300),
  SANDBOX_WEBHOOK_RETRY_DELAYS: z
    .string()
    .regex(/^\d+(,\d+)*$/, "comma-separated seconds, e.g. 60,240")
    .default("60,240")
    .transform((v) => v.split(",").map(Number)),
  SANDBOX_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
});

export type Env = z.infer<typeof envSchema> & {
  databaseDriver: "pglite" | "postgres";
  pgliteDir: string;
  oidc: { issuer: string; clientId: string; clientSecret: string } | null;
  /** Development secrets read from `<data dir>/secrets.json`. */
  generatedSecrets: string[];
  /** Those of them created by this process (first start). */
  newlyGeneratedSecrets: string[];
};

const GENERATED = [
  "AUTH_SECRET",
  "HANDOFF_ENCRYPTION_KEY",
  "SANDBOX_ADMIN_TOKEN",
  "SANDBOX_JWT_SECRET",
] as const;
type Generated = (typeof GENERATED)[number];

function emptyToUndefined(source: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(source)) out[k] = v === "" ? undefined : v;
  return out;
}

function generatedSecret(name: Generated): string {
  // The admin token is typed into curl and shell variables: keep it URL- and shell-safe.
  return name === "SANDBOX_ADMIN_TOKEN"
    ? randomBytes(32).toString("base64url")
    : randomBytes(32).toString("base64");
}

/** Reads or creates the development secrets file; never used when NODE_ENV=production. */
function devSecrets(
  dataDir: string,
  missing: Generated[],
): { stored: Record<string, string>; created: Generated[] } {
  const file = path.join(dataDir, "secrets.json");
  let stored: Record<string, string> = {};
  if (existsSync(file)) stored = JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
  const created: Generated[] = [];
  for (const name of missing) {
    if (!stored[name]) {
      stored[name] = generatedSecret(name);
      created.push(name);
    }
  }
  if (created.length > 0) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(stored, null, 2) + "\n", { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return { stored, created };
}

export class EnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EnvError";
  }
}

export function parseEnv(source: NodeJS.ProcessEnv): Env {
  const raw = emptyToUndefined(source);
  const nodeEnv = raw.NODE_ENV ?? "development";
  const dataDir = raw.HANDOFF_DATA_DIR ?? ".data";
  const generatedSecrets: string[] = [];
  const newlyGeneratedSecrets: string[] = [];
  const sandboxOn = !["false", "0", "no"].includes(raw.SANDBOX_ENABLED ?? "true");
  const needed = GENERATED.filter((k) => sandboxOn || !k.startsWith("SANDBOX_"));
  if (nodeEnv === "production") {
    const missing = needed.filter((k) => !raw[k]);
    if (missing.length > 0) {
      throw new EnvError(
        `Missing required environment variable${missing.length > 1 ? "s" : ""}: ${missing.join(", ")} (required when NODE_ENV=production${missing.some((k) => k.startsWith("SANDBOX_")) ? " and the sandbox is enabled" : ""}; see .env.example)`,
      );
    }
  } else {
    const missing = needed.filter((k) => !raw[k]);
    if (missing.length > 0) {
      const { stored, created } = devSecrets(dataDir, missing);
      for (const k of missing) {
        raw[k] = stored[k];
        generatedSecrets.push(k);
      }
      newlyGeneratedSecrets.push(...created);
    }
  }
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new EnvError(`Invalid environment: ${lines.join("; ")}`);
  }
  const env = parsed.data;
  const oidcParts = [env.AUTH_OIDC_ISSUER, env.AUTH_OIDC_CLIENT_ID, env.AUTH_OIDC_CLIENT_SECRET];
  if (oidcParts.some(Boolean) && !oidcParts.every(Boolean)) {
    throw new EnvError(
      "OIDC needs all of AUTH_OIDC_ISSUER, AUTH_OIDC_CLIENT_ID and AUTH_OIDC_CLIENT_SECRET, or none of them",
    );
  }
  return {
    ...env,
    databaseDriver: env.DATABASE_URL ? "postgres" : "pglite",
    pgliteDir: path.resolve(
      /*turbopackIgnore: true*/ env.PGLITE_DIR ?? path.join(env.HANDOFF_DATA_DIR, "pglite"),
    ),
    oidc:
      env.AUTH_OIDC_ISSUER && env.AUTH_OIDC_CLIENT_ID && env.AUTH_OIDC_CLIENT_SECRET
        ? {
            issuer: env.AUTH_OIDC_ISSUER,
            clientId: env.AUTH_OIDC_CLIENT_ID,
            clientSecret: env.AUTH_OIDC_CLIENT_SECRET,
          }
        : null,
    generatedSecrets,
    newlyGeneratedSecrets,
  };
}

/**
 * The origin Next's own server says it listens on (`next start`/`next dev` set it once listening),
 * read live: it appears after this module's first parse. Null outside a Next server.
 */
export function nextServerOrigin(): string | null {
  const origin = process.env.__NEXT_PRIVATE_ORIGIN;
  return origin && /^https?:\/\/[^/\s]+$/.test(origin) ? origin : null;
}

const cache = globalThis as unknown as { __handoffEnv?: Env };

export function getEnv(): Env {
  cache.__handoffEnv ??= parseEnv(process.env);
  return cache.__handoffEnv;
}
