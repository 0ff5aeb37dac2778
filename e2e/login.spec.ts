import { expect, test, type APIRequestContext } from "@playwright/test";
import { LoginPage } from "./pages/login-page";
import { ROLE_USERS, storageFor } from "./users";

test("a visitor is sent to /login and back to the page after signing in", async ({ page }) => {
  await page.goto("/audit?action=auth.");
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Faudit%3Faction%3Dauth\./);
  await new LoginPage(page).signIn(ROLE_USERS.auditor.email, ROLE_USERS.auditor.password);
  await expect(page).toHaveURL(/\/audit\?action=auth\./);
  await expect(page.getByRole("heading", { name: "Audit trail" })).toBeVisible();
});

test("a wrong password is refused with a message that reveals nothing, and the message has the focus", async ({
  page,
}) => {
  const login = new LoginPage(page);
  await login.goto();
  await login.signIn("someone-unknown@handoff.local", "wrong-password");
  const alert = await login.expectError("The email or password is not right.");
  await expect(alert).toBeFocused();
  await page.screenshot({ path: test.info().outputPath("login-refused.png") });
  await expect(page).toHaveURL(/\/login$/);
  // The email typed is kept; the password is not.
  await expect(login.email).toHaveValue("someone-unknown@handoff.local");
  await expect(login.password).toHaveValue("");
});

test("an empty form gets field errors without a request, and focus on the first empty field", async ({
  page,
}) => {
  const login = new LoginPage(page);
  await login.goto();
  const posts: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST") posts.push(r.url());
  });
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Enter your email")).toBeVisible();
  await expect(page.getByText("Enter your password")).toBeVisible();
  await expect(login.email).toBeFocused();
  await expect(login.email).toHaveAttribute("aria-invalid", "true");
  await login.email.fill(ROLE_USERS.officer.email);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Enter your email")).toBeHidden();
  await expect(login.password).toBeFocused();
  expect(posts).toEqual([]);
});

test("an off-site callbackUrl is ignored", async ({ page }) => {
  const login = new LoginPage(page);
  await login.goto("https://evil.example/");
  await login.signIn(ROLE_USERS.officer.email, ROLE_USERS.officer.password);
  await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/$/);
});

async function sessionUser(request: APIRequestContext, cookie: string) {
  const res = await request.get("/api/auth/session", { headers: { cookie } });
  return ((await res.json()) as { user?: { email: string } } | null)?.user?.email ?? null;
}

test("signing out ends the session on the server: a cookie captured before is refused after", async ({
  page,
  browser,
  playwright,
  baseURL,
}) => {
  const login = new LoginPage(page);
  await login.goto();
  await login.signIn(ROLE_USERS.partnerships.email, ROLE_USERS.partnerships.password);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Welcome");
  const captured = (await page.context().cookies()).find((c) => c.name === "authjs.session-token");
  expect(captured).toBeDefined();
  const cookie = `${captured!.name}=${captured!.value}`;
  // A client that keeps the cookie, apart from the browser.
  const thief = await playwright.request.newContext({ baseURL });
  expect((await thief.get("/api/users", { headers: { cookie } })).status()).toBe(403);
  expect(await sessionUser(thief, cookie)).toBe(ROLE_USERS.partnerships.email);

  await page.getByRole("button", { name: /Pat Partnerships/ }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);

  const after = await thief.get("/api/users", { headers: { cookie } });
  expect(after.status()).toBe(401);
  expect((await after.json()).error.code).toBe("unauthenticated");
  expect(await sessionUser(thief, cookie)).toBeNull();
  const replayed = await browser.newContext({ storageState: { cookies: [captured!], origins: [] } });
  const replay = await replayed.newPage();
  await replay.goto("/");
  await expect(replay).toHaveURL(/\/login/);
  await replayed.close();
  await thief.dispose();

  const auditor = await browser.newContext({ storageState: storageFor("auditor") });
  const audit = await auditor.newPage();
  await audit.goto("/audit?action=auth.logout");
  // People are shown by name, their email on hover.
  await expect(
    audit
      .getByRole("table", { name: "Audit events" })
      .locator(`[title="${ROLE_USERS.partnerships.email}"]`)
      .first(),
  ).toBeVisible();
  await auditor.close();
});

test.describe("accounts an admin has changed", () => {
  test("a disabled account is named only after its right password; signing out everywhere ends sessions", async ({
    page,
    browser,
  }) => {
    const admin = await browser.newContext({ storageState: storageFor("admin") });
    const email = `to.disable.${Date.now()}@handoff.local`;
    const created = await admin.request.post("/api/users", {
      data: { email, name: "Dee Disabled", role: "officer" },
    });
    expect(created.status()).toBe(201);
    const { user, initialPassword } = (await created.json()) as {
      user: { id: string };
      initialPassword: string;
    };

    // Signed in elsewhere; the admin signs them out everywhere.
    const elsewhere = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const other = await elsewhere.newPage();
    await new LoginPage(other).goto();
    await new LoginPage(other).signIn(email, initialPassword);
    await expect(other).toHaveURL(/\/account\/password$/);
    const revoke = await admin.request.post(`/api/users/${user.id}/sessions/revoke`, { data: {} });
    expect(revoke.status()).toBe(200);
    expect(await revoke.json()).toEqual({ revoked: 1 });
    await other.reload();
    await expect(other).toHaveURL(/\/login/);
    await elsewhere.close();

    const disabled = await admin.request.patch(`/api/users/${user.id}`, { data: { status: "disabled" } });
    expect(disabled.status()).toBe(200);
    await admin.close();

    const login = new LoginPage(page);
    await login.goto();
    await login.signIn(email, "not the password");
    await login.expectError("The email or password is not right.");
    await login.signIn(email, initialPassword);
    await expect(await login.expectError("This account is disabled; ask an administrator.")).toBeFocused();
  });
});

test("unknown pages and API paths answer 404", async ({ page }) => {
  const res = await page.request.get("/api/no-such-thing");
  expect(res.status()).toBe(404);
  expect((await res.json()).error.code).toBe("not_found");
  const health = await page.request.get("/api/health");
  expect(await health.json()).toMatchObject({ status: "ok", database: "pglite" });
});
