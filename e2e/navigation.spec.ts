import { expect, test } from "@playwright/test";
import { ROLE_USERS, storageFor, type E2ERole } from "./users";

for (const role of Object.keys(ROLE_USERS) as E2ERole[]) {
  test.describe(`${role}`, () => {
    test.use({ storageState: storageFor(role) });

    test("sees exactly its navigation", async ({ page }) => {
      await page.goto("/");
      const nav = page.getByRole("navigation", { name: "Main", exact: true });
      await expect(nav.getByRole("link")).toHaveText([...ROLE_USERS[role].nav]);
    });
  });
}

test.describe("role denial", () => {
  test.use({ storageState: storageFor("officer") });

  test("an officer cannot open user administration or the audit trail: a 403 inside the console", async ({
    page,
  }) => {
    const users = await page.goto("/admin/users");
    expect(users?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: /cannot open user administration/ })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Main", exact: true }).getByRole("link")).toHaveText([
      ...ROLE_USERS.officer.nav,
    ]);
    const audit = await page.goto("/audit");
    expect(audit?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: /cannot open the audit trail/ })).toBeVisible();
    const api = await page.request.get("/api/users");
    expect(api.status()).toBe(403);
  });
});

test.describe("not found", () => {
  test.describe("signed in", () => {
    test.use({ storageState: storageFor("auditor") });

    test("keeps the console's navigation and answers 404", async ({ page }) => {
      const response = await page.goto("/no/such/page");
      expect(response?.status()).toBe(404);
      await expect(page.getByRole("heading", { name: "This page does not exist" })).toBeVisible();
      await expect(page.getByRole("navigation", { name: "Main", exact: true }).getByRole("link")).toHaveText([
        ...ROLE_USERS.auditor.nav,
      ]);
    });
  });

  test.describe("one shell", () => {
    test.use({ storageState: storageFor("officer") });

    // A record the page looks up and does not find (notFound() inside the console's layout), and
    // an address no route matches: each draws the console's shell once, not a second one inside.
    for (const path of ["/reviews/00000000-0000-0000-0000-000000000000", "/shares/not-a-uuid", "/nope"]) {
      test(`${path}: one sidebar, one header, one main`, async ({ page }) => {
        const response = await page.goto(path);
        expect(response?.status()).toBe(404);
        await expect(page.getByRole("heading", { name: "This page does not exist" })).toHaveCount(1);
        await expect(page.getByRole("navigation")).toHaveCount(1);
        await expect(
          page.getByRole("navigation", { name: "Main", exact: true }).getByRole("link"),
        ).toHaveText([...ROLE_USERS.officer.nav]);
        await expect(page.getByRole("banner")).toHaveCount(1);
        await expect(page.getByRole("main")).toHaveCount(1);
        await expect(page.locator("aside")).toHaveCount(1);
        await expect(page.getByRole("link", { name: "Skip to content" })).toHaveCount(1);
      });
    }
  });

  test("a visitor gets the plain page with a way to sign in", async ({ page }) => {
    const response = await page.goto("/no/such/page");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "This page does not exist" })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Main", exact: true })).toHaveCount(0);
    await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  });
});

test("/favicon.ico is a real icon", async ({ request }) => {
  const response = await request.get("/favicon.ico");
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toMatch(/image\/(x-icon|vnd\.microsoft\.icon)/);
  const body = await response.body();
  // ICONDIR: reserved 0, type 1 (icon), at least one image.
  expect(body.readUInt16LE(0)).toBe(0);
  expect(body.readUInt16LE(2)).toBe(1);
  expect(body.readUInt16LE(4)).toBeGreaterThan(0);
});
