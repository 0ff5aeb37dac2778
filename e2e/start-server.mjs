// Starts the built app (`next start`) on a fresh embedded database seeded with one user per role.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const dataDir = path.join(root, ".data", "e2e");
rmSync(dataDir, { recursive: true, force: true });

const env = {
  ...process.env,
  HANDOFF_DATA_DIR: dataDir,
  AUTH_SECRET: randomBytes(32).toString("base64"),
  HANDOFF_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
  SANDBOX_ADMIN_TOKEN: process.env.E2E_SANDBOX_ADMIN_TOKEN ?? randomBytes(32).toString("base64url"),
  SANDBOX_RATE_LIMIT_ENABLED: "false",
  SANDBOX_JWT_SECRET: randomBytes(32).toString("base64"),
  AUTH_TRUST_HOST: "true",
  LOG_LEVEL: "warn",
  NEXT_TELEMETRY_DISABLED: "1",
};

// The demo users are created by the seed command (it refuses NODE_ENV=production, which next start sets).
const seed = spawnSync("npx", ["tsx", "--conditions=react-server", "scripts/db-seed.ts"], {
  cwd: root,
  env: { ...env, NODE_ENV: "test" },
  stdio: "inherit",
});
if (seed.status !== 0) process.exit(seed.status ?? 1);

const server = spawn("npx", ["next", "start", "-p", process.env.E2E_PORT ?? "3100", "-H", "127.0.0.1"], {
  cwd: root,
  env: { ...env, NODE_ENV: "production" },
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => process.exit(code ?? 0));
