import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import path from "node:path";

/**
 * Two Handoff instances for the two-console spec, started the way e2e/start-server.mjs starts the
 * suite's one (`next start` of the same build on a fresh embedded database seeded with one user per
 * role), each with its own data directory and its own secrets: X hosts the Didit sandbox, Y has
 * its sandbox off and calls X's (`DIDIT_API_BASE_URL`). Started from the spec (beforeAll) rather
 * than as extra `webServer` entries, so every other spec's run is unchanged.
 *
 * The servers run as in production (`next start`, NODE_ENV=production): they reach each other
 * over plain http on 127.0.0.1, which a production console accepts for push and partner API URLs
 * only while it is itself served over http on this machine. The demo data stays off (HANDOFF_SEED_DEMO=false); the seed
 * command creates the users, and on X (sandbox on) the sandbox's Northwind demo applications.
 */

export type Console = {
  name: string;
  origin: string;
  /** X only: the sandbox admin API's bearer token. */
  sandboxAdminToken: string | null;
  stop: () => Promise<void>;
};

const ROOT = path.resolve(__dirname, "..", "..");

// Inherited settings that would point an instance somewhere else than its own data directory.
const DROPPED = [
  "DATABASE_URL",
  "PGLITE_DIR",
  "HANDOFF_PUBLIC_URL",
  "AUTH_URL",
  "DIDIT_API_BASE_URL",
  "HANDOFF_SEED_DEMO",
  "SANDBOX_ENABLED",
  "SANDBOX_ADMIN_TOKEN",
  "SANDBOX_JWT_SECRET",
];

function baseEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of DROPPED) delete env[key];
  return env;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, label: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${label} exited with ${code}: ${stderr.slice(-2000)}`)),
    );
  });
}

async function waitForHealth(origin: string, server: ChildProcess, stderr: () => string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) {
      throw new Error(`${origin} exited with ${server.exitCode}: ${stderr().slice(-2000)}`);
    }
    try {
      const res = await fetch(`${origin}/api/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${origin}/api/health did not answer within ${timeoutMs} ms: ${stderr().slice(-2000)}`);
}

export async function startConsole(opts: {
  name: string;
  port: number;
  sandbox: boolean;
  /** Y: X's sandbox (`<origin>/sandbox`). */
  diditApiBaseUrl?: string;
}): Promise<Console> {
  const dataDir = path.join(ROOT, ".data", `e2e-two-${opts.name.toLowerCase()}`);
  rmSync(dataDir, { recursive: true, force: true });
  const origin = `http://127.0.0.1:${opts.port}`;
  const sandboxAdminToken = opts.sandbox ? randomBytes(32).toString("base64url") : null;
  const env: NodeJS.ProcessEnv = {
    ...baseEnv(),
    NODE_ENV: "production",
    HANDOFF_DATA_DIR: dataDir,
    AUTH_SECRET: randomBytes(32).toString("base64"),
    HANDOFF_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    AUTH_TRUST_HOST: "true",
    HANDOFF_SEED_DEMO: "false",
    LOG_LEVEL: "warn",
    NEXT_TELEMETRY_DISABLED: "1",
    // Jobs (push, receipts, webhooks) picked up quickly: the spec waits for them.
    JOBS_POLL_INTERVAL_MS: "200",
    SANDBOX_ENABLED: opts.sandbox ? "true" : "false",
    ...(opts.sandbox
      ? {
          SANDBOX_ADMIN_TOKEN: sandboxAdminToken!,
          SANDBOX_JWT_SECRET: randomBytes(32).toString("base64"),
          SANDBOX_RATE_LIMIT_ENABLED: "false",
          SANDBOX_WEBHOOK_RETRY_DELAYS: "1,2",
        }
      : {}),
    ...(opts.diditApiBaseUrl ? { DIDIT_API_BASE_URL: opts.diditApiBaseUrl } : {}),
  };

  // Another server on the port would answer the health check in this one's place.
  const taken = await fetch(`${origin}/api/health`).then(
    () => true,
    () => false,
  );
  if (taken)
    throw new Error(
      `port ${opts.port} is in use: stop what listens there, or set E2E_TWO_X_PORT/E2E_TWO_Y_PORT`,
    );

  // The users (and on X the sandbox's demo applications), as start-server.mjs seeds them.
  await run(
    "npx",
    ["tsx", "--conditions=react-server", "scripts/db-seed.ts"],
    // The seed command refuses production (as in start-server.mjs).
    { ...env, NODE_ENV: "test" },
    `seeding console ${opts.name}`,
  );

  const server = spawn("npx", ["next", "start", "-p", String(opts.port), "-H", "127.0.0.1"], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  let stderr = "";
  server.stderr!.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  const stop = async () => {
    if (server.exitCode !== null || server.pid === undefined) return;
    const exited = new Promise<void>((resolve) => server.once("exit", () => resolve()));
    // The process group: npx and the next server under it.
    process.kill(-server.pid, "SIGTERM");
    const timer = setTimeout(() => {
      if (server.exitCode === null) process.kill(-server.pid!, "SIGKILL");
    }, 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitForHealth(origin, server, () => stderr, 120_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { name: opts.name, origin, sandboxAdminToken, stop };
}
