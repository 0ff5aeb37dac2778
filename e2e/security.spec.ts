import { expect, test, type Page } from "@playwright/test";
import { storageFor } from "./users";

/**
 * Security headers on real responses of `next start`, and pages that run under their CSP with no
 * violation: the browser reports each refused script, style or connection both as a console error
 * and as a `securitypolicyviolation` event; both are collected.
 */

const COMMON = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "strict-origin-when-cross-origin",
};
const STRICT_CSP = "default-src 'none'; frame-ancestors 'none'";

function expectCommonHeaders(headers: Record<string, string>) {
  for (const [name, value] of Object.entries(COMMON)) expect(headers[name], name).toBe(value);
  expect(headers["permissions-policy"]).toContain("camera=()");
  expect(headers["permissions-policy"]).toContain("microphone=()");
  expect(headers["permissions-policy"]).toContain("geolocation=()");
  // Served over plain http here: no HSTS.
  expect(headers["strict-transport-security"]).toBeUndefined();
}

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

type Violation = { source: string; text: string };

async function watchViolations(page: Page): Promise<Violation[]> {
  const violations: Violation[] = [];
  page.on("console", (msg) => {
    // A refused resource, and a header the browser could not parse (e.g. an unknown feature).
    if (/Content Security Policy|Content-Security-Policy|Permissions-Policy/i.test(msg.text())) {
      violations.push({ source: "console", text: msg.text() });
    }
  });
  await page.exposeFunction("__reportCspViolation", (text: string) => {
    violations.push({ source: "event", text });
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      const report = (window as unknown as { __reportCspViolation: (t: string) => void })
        .__reportCspViolation;
      report(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  return violations;
}

test.describe("security headers", () => {
  test("a page: a nonce CSP with no inline script, and the common headers", async ({ page }) => {
    const response = await page.goto("/login");
    expect(response?.status()).toBe(200);
    const headers = response!.headers();
    expectCommonHeaders(headers);
    const csp = directives(headers["content-security-policy"] ?? "");
    expect(csp.get("default-src")).toEqual(["'self'"]);
    const scripts = csp.get("script-src") ?? [];
    expect(scripts.some((s) => /^'nonce-[A-Za-z0-9+/=]{16,}'$/.test(s))).toBe(true);
    expect(scripts).not.toContain("'unsafe-inline'");
    expect(scripts).not.toContain("'unsafe-eval'");
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.get("base-uri")).toEqual(["'self'"]);
    expect(csp.get("form-action")).toEqual(["'self'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);

    // The nonce is fresh per response, and it is the one on the page's scripts.
    const nonce = scripts.find((s) => s.startsWith("'nonce-"))!.slice(7, -1);
    const again = await page.request.get("/login");
    expect(again.headers()["content-security-policy"]).not.toContain(nonce);
    // Every script the server sent (inline or not) carries it; scripts the page adds later are
    // trusted through 'strict-dynamic'.
    const tags = [...(await response!.text()).matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(tags.length).toBeGreaterThan(0);
    for (const tag of tags) expect(tag).toContain(`nonce="${nonce}"`);
  });

  test("an API response: strict CSP, no-store", async ({ request }) => {
    const response = await request.get("/api/health");
    const headers = response.headers();
    expectCommonHeaders(headers);
    expect(headers["content-security-policy"]).toBe(STRICT_CSP);
    expect(headers["cache-control"]).toBe("no-store");
    const denied = await request.get("/api/users");
    expect(denied.status()).toBe(401);
    expect(denied.headers()["cache-control"]).toBe("no-store");
    expect(denied.headers()["content-security-policy"]).toBe(STRICT_CSP);
  });

  test("a static asset and the favicon", async ({ page, request }) => {
    await page.goto("/login");
    const src = await page.locator("script[src*='/_next/static/']").first().getAttribute("src");
    expect(src).toBeTruthy();
    const asset = await request.get(src!);
    expect(asset.status()).toBe(200);
    expectCommonHeaders(asset.headers());
    expect(asset.headers()["content-security-policy"]).toBe(STRICT_CSP);
    const favicon = await request.get("/favicon.ico");
    expectCommonHeaders(favicon.headers());
  });

  test("HSTS only when a request came over https", async ({ request }) => {
    const response = await request.get("/api/health", { headers: { "x-forwarded-proto": "https" } });
    expect(response.headers()["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
  });
});

test.describe("undecodable paths", () => {
  test("answer JSON in the API's and the sandbox's dialects, never Next's bare 500", async ({ request }) => {
    for (const path of ["/api/users/%ff%fe", "/api/%ff%fe"]) {
      const response = await request.get(path);
      expect(response.status(), path).toBe(400);
      expect((await response.json()).error.code).toBe("bad_request");
      expect(response.headers()["content-security-policy"]).toBe(STRICT_CSP);
    }
    const sandbox = await request.post("/sandbox/v3/session/%ff%fe/share/", { data: {} });
    expect(sandbox.status()).toBe(404);
    expect(await sandbox.json()).toEqual({ detail: "Not found." });
    // A path that decodes still reaches its route.
    const decodable = await request.get("/api/users/%C3%A9");
    expect(decodable.status()).toBe(405);
  });
});

test.describe("methods Next cannot route", () => {
  test("TRACE and WebDAV verbs answer a JSON 405 with the headers, never Next's bare 500", async ({
    request,
  }) => {
    for (const method of ["TRACE", "PROPFIND"]) {
      const api = await request.fetch("/api/users", { method });
      expect(api.status(), method).toBe(405);
      expect((await api.json()).error.code).toBe("method_not_allowed");
      expectCommonHeaders(api.headers());
      expect(api.headers()["content-security-policy"]).toBe(STRICT_CSP);
      const sandbox = await request.fetch("/sandbox/v3/sessions/", { method });
      expect(sandbox.status(), method).toBe(405);
      expect(await sandbox.json()).toEqual({ detail: `Method "${method}" not allowed.` });
    }
  });
});

test.describe("no CSP violation in the browser", () => {
  test("the login page, and a failed sign-in", async ({ page }) => {
    const violations = await watchViolations(page);
    await page.goto("/login");
    await page.getByLabel("Email").fill("nobody@handoff.local");
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByRole("alert").filter({ hasText: /email or password/i })).toBeVisible();
    expect(violations).toEqual([]);
  });

  test.describe("signed in as admin", () => {
    test.use({ storageState: storageFor("admin") });

    for (const [name, path] of [
      ["dashboard", "/"],
      ["audit trail", "/audit"],
      ["users", "/admin/users"],
    ] as const) {
      test(`the ${name}`, async ({ page }) => {
        const violations = await watchViolations(page);
        const response = await page.goto(path);
        expect(response?.status()).toBe(200);
        await page.waitForLoadState("networkidle");
        await expect(page.getByRole("main")).toBeVisible();
        expect(violations).toEqual([]);
      });
    }

    test("client-side navigation, a select and a dialog", async ({ page }) => {
      const violations = await watchViolations(page);
      await page.goto("/");
      await page
        .getByRole("navigation", { name: "Main", exact: true })
        .getByRole("link", { name: "Users" })
        .click();
      await expect(page).toHaveURL(/\/admin\/users$/);
      // A Radix select: a portal, positioned with style attributes, scroll locked with a <style>.
      const form = page.getByRole("form", { name: "Add a user" });
      await form.getByRole("combobox", { name: "Role" }).click();
      await expect(page.getByRole("listbox")).toBeVisible();
      await page.keyboard.press("Escape");
      await expect(page.getByRole("listbox")).toBeHidden();
      // A confirmation dialog (Radix alert dialog).
      await page
        .getByRole("button", { name: /everywhere/ })
        .first()
        .click();
      await expect(page.getByRole("alertdialog")).toBeVisible();
      await page.keyboard.press("Escape");
      await expect(page.getByRole("alertdialog")).toBeHidden();
      await page
        .getByRole("navigation", { name: "Main", exact: true })
        .getByRole("link", { name: "Audit trail" })
        .click();
      await expect(page).toHaveURL(/\/audit/);
      await page.waitForLoadState("networkidle");
      expect(violations).toEqual([]);
    });
  });
});
