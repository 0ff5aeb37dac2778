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

/**
 * The service domains (lib/server/services/<domain>/): pages, routes and other domains import a
 * domain only through its index.ts; inside a domain, siblings are imported relatively and the
 * domain's own index never. Tests and test kits beside the code may reach inside.
 */
const DOMAINS = [
  "access",
  "applications",
  "audit",
  "compliance",
  "lineage",
  "operations",
  "partners",
  "recalls",
  "receiving",
  "reviews",
  "sessions",
  "sharing",
];
const TEST_FILES = ["**/*.test.ts", "**/*.test.tsx", "**/*.test-kit.ts"];
const DOMAIN_INSIDE = {
  regex: "^@/lib/server/services/[\\w-]+/.+$",
  message: "Import a service domain through its index: @/lib/server/services/<domain>.",
};
const DOMAIN_RELATIVE_OUT = {
  regex: "^\\.\\./",
  message: "A domain reaches another domain through @/lib/server/services/<domain>, never ../.",
};
const ownIndex = (domain) => ({
  regex: `^@/lib/server/services/${domain}$`,
  message: "Inside a domain, import the sibling file, not the domain's own index (a cycle).",
});

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
    files: ["lib/**/*.{ts,tsx}", "app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}", "proxy.ts"],
    ignores: [
      "lib/server/sandbox/**",
      "app/sandbox/**",
      "lib/server/boot.ts",
      "lib/server/services/*/**",
      ...TEST_FILES,
    ],
    rules: { "no-restricted-imports": ["error", { patterns: [...SANDBOX_IMPORTS, DOMAIN_INSIDE] }] },
  },
  ...DOMAINS.map((domain) => ({
    files: [`lib/server/services/${domain}/**/*.ts`],
    ignores: TEST_FILES,
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [...SANDBOX_IMPORTS, DOMAIN_INSIDE, DOMAIN_RELATIVE_OUT, ownIndex(domain)] },
      ],
    },
  })),
  {
    files: ["lib/server/boot.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [DOMAIN_INSIDE] }] },
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
