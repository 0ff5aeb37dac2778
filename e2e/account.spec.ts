import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { ChangePasswordPage } from "./pages/change-password-page";
import { LoginPage } from "./pages/login-page";
import { storageFor } from "./users";

async function expectNoAxeViolations(page: Page) {
  const { violations } = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  expect(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

test("a new user's one-time password must be changed before the console opens", async ({ browser }) => {
  const admin = await browser.newContext({ storageState: storageFor("admin") });
  const email = `one.time.${Date.now()}@handoff.local`;
  const created = await admin.request.post("/api/users", {
    data: { email, name: "Otto Onetime", role: "auditor" },
  });
  expect(created.status()).toBe(201);
  const { initialPassword } = (await created.json()) as { initialPassword: string };
  await admin.close();

  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  const login = new LoginPage(page);
  await login.goto("/audit");
  await login.signIn(email, initialPassword);

  // Forced onto the change-password page: other pages send it back, the API refuses.
  const change = new ChangePasswordPage(page);
  await change.expectShown();
  await expect(page.getByText("Choose your own password to continue")).toBeVisible();
  await page.screenshot({ path: test.info().outputPath("change-password.png"), fullPage: true });
  await expectNoAxeViolations(page);
  await page.goto("/audit");
  await change.expectShown();
  const api = await page.request.get("/api/audit");
  expect(api.status()).toBe(403);
  expect((await api.json()).error.code).toBe("password_change_required");

  // A wrong current password stays on its field; an unchanged one is refused in the form.
  await change.change("not the one-time password", "otto's own long passphrase");
  const current = change.form.getByLabel("Current password");
  await expect(change.form.getByText("The current password is not right.")).toBeVisible();
  await expect(current).toBeFocused();
  await expectNoAxeViolations(page);
  await change.change(initialPassword, "too short");
  await expect(change.form.getByText("Use at least 12 characters")).toBeVisible();
  await change.change(initialPassword, "otto's own long passphrase", "something else entirely");
  await expect(change.form.getByText("The two new passwords are not the same")).toBeVisible();

  await change.change(initialPassword, "otto's own long passphrase");
  await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Welcome, Otto Onetime");
  await page.goto("/audit");
  await expect(page.getByRole("heading", { name: "Audit trail" })).toBeVisible();
  await context.close();

  // The one-time password is spent; the new one works, and is not asked to change again.
  const fresh = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const again = await fresh.newPage();
  const relogin = new LoginPage(again);
  await relogin.goto();
  await relogin.signIn(email, initialPassword);
  await relogin.expectError("The email or password is not right.");
  await relogin.signIn(email, "otto's own long passphrase");
  await expect(again.getByRole("heading", { level: 1 })).toContainText("Welcome, Otto Onetime");
  await fresh.close();
});

test("a signed-in user changes their password; their other sessions end, this one stays", async ({
  browser,
}) => {
  const admin = await browser.newContext({ storageState: storageFor("admin") });
  const email = `changer.${Date.now()}@handoff.local`;
  const { initialPassword } = (await (
    await admin.request.post("/api/users", { data: { email, name: "Cara Changer", role: "officer" } })
  ).json()) as { initialPassword: string };
  await admin.close();

  const signIn = async () => {
    const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const page = await context.newPage();
    await new LoginPage(page).goto();
    await new LoginPage(page).signIn(email, initialPassword);
    await new ChangePasswordPage(page).expectShown();
    return { context, page };
  };
  const first = await signIn();
  const second = await signIn();

  await new ChangePasswordPage(first.page).change(initialPassword, "cara's own long passphrase");
  await expect(first.page.getByRole("heading", { level: 1 })).toContainText("Welcome, Cara Changer");
  // Reached from the user menu.
  await first.page.getByRole("button", { name: /Cara Changer/ }).click();
  await first.page.getByRole("menuitem", { name: "Change password" }).click();
  await new ChangePasswordPage(first.page).expectShown();
  await expect(first.page.getByText("Choose your own password to continue")).toBeHidden();

  await second.page.reload();
  await expect(second.page).toHaveURL(/\/login/);
  await first.context.close();
  await second.context.close();
});
