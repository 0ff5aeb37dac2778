import { expect, test, type Page } from "@playwright/test";
import { LoginPage } from "./pages/login-page";
import { ROLE_USERS } from "./users";

/**
 * The sign-in form with JavaScript off (as when the browser cannot load the app's scripts): it
 * posts to the server, which signs in or answers with the message, and no password ever travels
 * in a URL.
 */
test.describe("sign-in without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  function watchUrls(page: Page): string[] {
    const urls: string[] = [];
    page.on("request", (r) => urls.push(r.url()));
    page.on("framenavigated", (f) => urls.push(f.url()));
    return urls;
  }
  const carries = (urls: string[], secret: string) =>
    urls.filter((u) => u.includes(secret) || u.includes(encodeURIComponent(secret)));

  test("the form posts; a wrong password gets the message, the right one the dashboard", async ({ page }) => {
    const urls = watchUrls(page);
    const login = new LoginPage(page);
    await login.goto();
    await expect(page.locator("form").first()).toHaveAttribute("method", /^post$/i);

    const wrong = "wrong-password-no-js";
    await login.signIn(ROLE_USERS.officer.email, wrong);
    await login.expectError("The email or password is not right.");
    await expect(login.email).toHaveValue(ROLE_USERS.officer.email);

    await login.signIn(ROLE_USERS.officer.email, ROLE_USERS.officer.password);
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Welcome, Olu Officer");
    await page.screenshot({ path: test.info().outputPath("dashboard-no-js.png") });

    expect(urls.length).toBeGreaterThan(2);
    expect(carries(urls, wrong)).toEqual([]);
    expect(carries(urls, ROLE_USERS.officer.password)).toEqual([]);
  });

  test("an empty form gets the field errors from the server", async ({ page }) => {
    const login = new LoginPage(page);
    await login.goto();
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByText("Enter your email")).toBeVisible();
    await expect(page.getByText("Enter your password")).toBeVisible();
    await expect(login.email).toHaveAttribute("aria-invalid", "true");
  });

  test("the sign-in page keeps the callbackUrl through a refused attempt", async ({ page }) => {
    const login = new LoginPage(page);
    await login.goto("/audit");
    await login.signIn(ROLE_USERS.auditor.email, "not-it");
    await login.expectError("The email or password is not right.");
    await login.signIn(ROLE_USERS.auditor.email, ROLE_USERS.auditor.password);
    await expect(page).toHaveURL(/\/audit$/);
  });
});

test("a client without JavaScript posting straight to Auth.js gets its redirect, not a 500", async ({
  baseURL,
}) => {
  const csrf = await fetch(`${baseURL}/api/auth/csrf`);
  expect(csrf.status).toBe(200);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = csrf.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const res = await fetch(`${baseURL}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie },
    body: new URLSearchParams({
      csrfToken,
      email: ROLE_USERS.auditor.email,
      password: "definitely-wrong",
      callbackUrl: `${baseURL}/`,
    }),
  });
  expect([302, 303]).toContain(res.status);
  const location = new URL(res.headers.get("location")!, baseURL);
  // Back to the host the client used: Next reports 127.0.0.1 as localhost in its own request URL.
  expect(location.origin).toBe(new URL(baseURL!).origin);
  expect(location.pathname).toBe("/login");
  expect(location.searchParams.get("error")).toBe("CredentialsSignin");
  expect(res.headers.get("x-request-id")).toBeTruthy();
});
