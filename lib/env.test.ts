import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";

const key = Buffer.alloc(32, 7).toString("base64");
const prod = {
  NODE_ENV: "production",
  AUTH_SECRET: "x".repeat(40),
  HANDOFF_ENCRYPTION_KEY: key,
  SANDBOX_ENABLED: "false",
} as const;

describe("parseEnv", () => {
  it("refuses to start in production without AUTH_SECRET, naming it", () => {
    expect(() => parseEnv({ ...prod, AUTH_SECRET: undefined })).toThrow(/AUTH_SECRET/);
  });

  it("refuses to start in production without HANDOFF_ENCRYPTION_KEY, naming it", () => {
    expect(() => parseEnv({ ...prod, HANDOFF_ENCRYPTION_KEY: "" })).toThrow(/HANDOFF_ENCRYPTION_KEY/);
  });

  it("requires the sandbox secrets in production only while the sandbox is enabled", () => {
    expect(() => parseEnv({ ...prod, SANDBOX_ENABLED: "true" })).toThrow(
      /SANDBOX_ADMIN_TOKEN, SANDBOX_JWT_SECRET/,
    );
    expect(parseEnv(prod).SANDBOX_ENABLED).toBe(false);
  });

  it("rejects an encryption key that is not 32 bytes", () => {
    expect(() => parseEnv({ ...prod, HANDOFF_ENCRYPTION_KEY: "c2hvcnQ=" })).toThrow(/HANDOFF_ENCRYPTION_KEY/);
  });

  it("generates development secrets once and keeps them in the data directory", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "handoff-env-"));
    const first = parseEnv({ NODE_ENV: "development", HANDOFF_DATA_DIR: dir });
    expect(first.newlyGeneratedSecrets).toEqual([
      "AUTH_SECRET",
      "HANDOFF_ENCRYPTION_KEY",
      "SANDBOX_ADMIN_TOKEN",
      "SANDBOX_JWT_SECRET",
    ]);
    const second = parseEnv({ NODE_ENV: "development", HANDOFF_DATA_DIR: dir });
    expect(second.newlyGeneratedSecrets).toEqual([]);
    expect(second.AUTH_SECRET).toBe(first.AUTH_SECRET);
    expect(second.HANDOFF_ENCRYPTION_KEY).toBe(first.HANDOFF_ENCRYPTION_KEY);
    const file = path.join(dir, "secrets.json");
    expect(JSON.parse(readFileSync(file, "utf8")).AUTH_SECRET).toBe(first.AUTH_SECRET);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("picks the driver from DATABASE_URL", () => {
    expect(parseEnv(prod).databaseDriver).toBe("pglite");
    expect(parseEnv({ ...prod, DATABASE_URL: "postgres://u@localhost:5432/db" }).databaseDriver).toBe(
      "postgres",
    );
  });

  it("wants all three OIDC settings or none", () => {
    expect(() => parseEnv({ ...prod, AUTH_OIDC_ISSUER: "https://id.example" })).toThrow(/OIDC/);
    const env = parseEnv({
      ...prod,
      AUTH_OIDC_ISSUER: "https://id.example",
      AUTH_OIDC_CLIENT_ID: "handoff",
      AUTH_OIDC_CLIENT_SECRET: "s3cret",
    });
    expect(env.oidc).toEqual({ issuer: "https://id.example", clientId: "handoff", clientSecret: "s3cret" });
    expect(env.AUTH_OIDC_ROLE_CLAIM).toBe("handoff_role");
  });
  it("reads TRUSTED_PROXIES as IPv4/IPv6 addresses and CIDR blocks, empty by default", () => {
    expect(parseEnv(prod).TRUSTED_PROXIES).toEqual([]);
    expect(
      parseEnv({ ...prod, TRUSTED_PROXIES: " 127.0.0.1/32, 10.0.0.0/8,::1,fd00::/8 " }).TRUSTED_PROXIES,
    ).toEqual(["127.0.0.1/32", "10.0.0.0/8", "::1", "fd00::/8"]);
    for (const bad of ["10.0.0.0/33", "::1/129", "proxy.internal", "10.0.0.0/8/1", "10.0.0.0/-1", "1.2.3"]) {
      expect(() => parseEnv({ ...prod, TRUSTED_PROXIES: bad }), bad).toThrow(/TRUSTED_PROXIES/);
    }
  });
});
