import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = {
  "@": path.resolve(import.meta.dirname),
  "server-only": path.resolve(import.meta.dirname, "test/server-only-stub.ts"),
};
const env = {
  NODE_ENV: "test",
  HANDOFF_DATA_DIR: path.resolve(import.meta.dirname, ".data/test"),
  LOG_LEVEL: "silent",
  SANDBOX_RATE_LIMIT_ENABLED: "false",
};
const exclude = ["node_modules/**", ".next/**", "e2e/**", ".data/**"];

const integration = (driver: "pglite" | "postgres") => ({
  resolve: { alias },
  test: {
    name: `integration-${driver}`,
    include: ["**/*.int.test.ts"],
    exclude,
    env: { ...env, TEST_DB_DRIVER: driver },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks" as const,
    // next-auth imports `next/server` without an extension: let Vite resolve it (Auth.js route tests).
    server: { deps: { inline: ["next-auth"] } },
  },
});

export default defineConfig({
  test: {
    reporters: ["default", ["json", { outputFile: ".test-results/vitest.json" }]],
    maxWorkers: 2,
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["**/*.test.ts"],
          exclude: [...exclude, "**/*.int.test.ts"],
          env,
          // 2 cores shared with the integration projects: a unit test may wait seconds for a core.
          testTimeout: 20_000,
        },
      },
      integration("pglite"),
      ...(process.env.TEST_DATABASE_URL ? [integration("postgres")] : []),
    ],
  },
});
