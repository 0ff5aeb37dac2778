import { expect, test } from "@playwright/test";
import { LoginPage } from "./pages/login-page";
import { storageFor } from "./users";

test.describe("user administration", () => {
  test.use({ storageState: storageFor("admin") });

  test("an admin creates a user who then signs in", async ({ page, browser }) => {
    const email = `new.auditor.${Date.now()}@handoff.local`;
    await page.goto("/admin/users");
    const form = page.getByRole("form", { name: "Add a user" });
    await form.getByLabel("Name").fill("Nia New");
    await form.getByLabel("Email").fill(email);
    await form.getByLabel("Role").selectOption("auditor");
    await form.getByRole("button", { name: "Create user" }).click();
    const dialog = page.getByRole("dialog", { name: "User created" });
    await expect(dialog).toBeVisible();
    const password = (await dialog.getByLabel("Initial password").textContent())!.trim();
    expect(password).toHaveLength(20);
    await dialog.getByRole("button", { name: "Done" }).click();
    await expect(page.getByRole("table", { name: "Users" })).toContainText(email);

    const fresh = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const other = await fresh.newPage();
    const login = new LoginPage(other);
    await login.goto();
    await login.signIn(email, password);
    await expect(other.getByRole("heading", { level: 1 })).toContainText("Welcome, Nia New");
    await expect(other.getByRole("navigation", { name: "Main", exact: true }).getByRole("link")).toHaveText([
      "Dashboard",
      "Audit trail",
    ]);
    await fresh.close();
  });

  test("invalid input shows field errors and creates nothing", async ({ page }) => {
    await page.goto("/admin/users");
    const form = page.getByRole("form", { name: "Add a user" });
    await form.getByLabel("Email").fill("not-an-email");
    await form.getByRole("button", { name: "Create user" }).click();
    await expect(form.getByText("Enter a valid email address")).toBeVisible();
    await expect(form.getByText("Name is required")).toBeVisible();
  });

  test("an admin cannot disable their own account", async ({ page }) => {
    await page.goto("/admin/users");
    const row = page.getByRole("row", { name: /admin@handoff\.local/ });
    await expect(row.getByRole("button", { name: "Disable" })).toBeDisabled();
  });
});
