import { describe, expect, it } from "vitest";
import { cspOrigin, newNonce, pageContentSecurityPolicy } from "./security-headers";

function parse(csp: string): Map<string, string[]> {
  return new Map(
    csp.split("; ").map((d) => {
      const [name, ...values] = d.split(" ");
      return [name!, values];
    }),
  );
}

describe("pageContentSecurityPolicy", () => {
  const nonce = newNonce();

  it("runs no script without the nonce and frames nothing", () => {
    const csp = parse(pageContentSecurityPolicy({ nonce, development: false, https: false }));
    expect(csp.get("script-src")).toEqual(["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"]);
    expect(csp.get("default-src")).toEqual(["'self'"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.get("base-uri")).toEqual(["'self'"]);
    expect(csp.get("form-action")).toEqual(["'self'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.has("upgrade-insecure-requests")).toBe(false);
  });

  it("allows eval only in development", () => {
    const dev = parse(pageContentSecurityPolicy({ nonce, development: true, https: false }));
    expect(dev.get("script-src")).toContain("'unsafe-eval'");
    const prod = parse(pageContentSecurityPolicy({ nonce, development: false, https: true }));
    expect(prod.get("script-src")).not.toContain("'unsafe-eval'");
    expect(prod.get("script-src")).not.toContain("'unsafe-inline'");
  });

  it("upgrades subresources over https and lets forms go to the SSO provider", () => {
    const csp = parse(
      pageContentSecurityPolicy({
        nonce,
        development: false,
        https: true,
        formActionOrigins: ["https://idp.example.com"],
      }),
    );
    expect(csp.has("upgrade-insecure-requests")).toBe(true);
    expect(csp.get("form-action")).toEqual(["'self'", "https://idp.example.com"]);
  });
});

describe("newNonce", () => {
  it("is fresh each time and 144 bits of base64", () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    expect(nonces.size).toBe(100);
    for (const n of nonces) expect(n).toMatch(/^[A-Za-z0-9+/]{24}$/);
  });
});

describe("cspOrigin", () => {
  it("is the origin of an http(s) URL, null otherwise", () => {
    expect(cspOrigin("https://idp.example.com/realms/x/")).toBe("https://idp.example.com");
    expect(cspOrigin("javascript:alert(1)")).toBeNull();
    expect(cspOrigin("not a url")).toBeNull();
    expect(cspOrigin(undefined)).toBeNull();
  });
});
