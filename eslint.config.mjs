import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

/**
 * The fence around the Didit sandbox (a stand-in for Didit, not part of the product): product code
 * reaches it only over HTTP, through the Didit client. Only lib/server/boot.ts may start it.
 */
const SANDBOX_IMPORTS = [
  { regex: "^@/lib/server/sandbox(/.*)?$" },
  { regex: "^@/app/sandbox(/.*)?$" },
  { regex: "^(\\.\\./)+(server/)?sandbox(/.*)?$" },
  { regex: "^\\./sandbox(/.*)?$" },
].map((p) => ({
  ...p,
  message: "Product code must not import the Didit sandbox: reach it over HTTP through lib/server/didit.",
}));

/** ...and the sandbox imports no product code: infrastructure (db, env, logger, jobs) only. */
const PRODUCT_IMPORTS = [
  { regex: "^@/lib/server/(services|auth|didit|http)(/.*)?$" },
  { regex: "^@/lib/(schemas|client)(/.*)?$" },
  { regex: "^@/lib/(rbac|navigation)$" },
  { regex: "^@/(components|app/api)(/.*)?$" },
].map((p) => ({ ...p, message: "The Didit sandbox must not import Handoff's product code." }));

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [
      ".next/**",
      "node_modules/**",
      ".data/**",
      ".test-results/**",
      "test-results/**",
      "playwright-report/**",
      "next-env.d.ts",
    ],
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read configuration through lib/env.ts." },
      ],
    },
  },
  {
    files: ["lib/**/*.{ts,tsx}", "app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}", "proxy.ts"],
    ignores: ["lib/server/sandbox/**", "app/sandbox/**", "lib/server/boot.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: SANDBOX_IMPORTS }] },
  },
  {
    files: ["lib/server/sandbox/**/*.{ts,tsx}", "app/sandbox/**/*.{ts,tsx}"],
    rules: { "no-restricted-imports": ["error", { patterns: PRODUCT_IMPORTS }] },
  },
  {
    files: [
      "lib/env.ts",
      "instrumentation.ts",
      "*.config.ts",
      "*.config.mts",
      "*.config.mjs",
      "scripts/**",
      "e2e/**",
      "test/**",
      "bench/**",
      ".ci/**",
    ],
    rules: { "no-restricted-properties": "off" },
  },
];

export default config;
