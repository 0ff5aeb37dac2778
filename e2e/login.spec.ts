import { expect, test } from "@playwright/test";
import { LoginPage } from "./pages/login-page";
import { ROLE_USERS, storageFor } from "./users";

test("a visitor is sent to /login and back to the page after signing in", async ({ page }) => {
  await page.goto("/audit?action=auth.");
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Faudit%3Faction%3Dauth\./);
  await new LoginPage(page).signIn(ROLE_USERS.auditor.email, ROLE_USERS.auditor.password);
  await expect(page).toHaveURL(/\/audit\?action=auth\./);
  await expect(page.getByRole("heading", { name: "Audit trail" })).toBeVisible();
});

test("a wrong password is refused with a message that reveals nothing", async ({ page }) => {
  const login = new LoginPage(page);
  await login.goto();
  await login.signIn("someone-unknown@handoff.local", "wrong-password");
  await login.expectError("The email or password is not right.");
  await expect(page).toHaveURL(/\/login/);
});

test("an off-site callbackUrl is ignored", async ({ page }) => {
  const login = new LoginPage(page);
  await login.goto("https://evil.example/");
  await login.signIn(ROLE_USERS.officer.email, ROLE_USERS.officer.password);
  await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/$/);
});

test("signing out ends the session and is audited", async ({ page, browser }) => {
  const login = new LoginPage(page);
  await login.goto();
  await login.signIn(ROLE_USERS.partnerships.email, ROLE_USERS.partnerships.password);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Welcome");
  await page.getByRole("button", { name: /Pat Partnerships/ }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);

  const auditor = await browser.newContext({ storageState: storageFor("auditor") });
  const audit = await auditor.newPage();
  await audit.goto("/audit?action=auth.logout");
  await expect(audit.getByRole("table", { name: "Audit events" })).toContainText(
    ROLE_USERS.partnerships.email,
  );
  await auditor.close();
});

test("unknown pages and API paths answer 404", async ({ page }) => {
  const res = await page.request.get("/api/no-such-thing");
  expect(res.status()).toBe(404);
  expect((await res.json()).error.code).toBe("not_found");
  const health = await page.request.get("/api/health");
  expect(await health.json()).toMatchObject({ status: "ok", database: "pglite" });
});
