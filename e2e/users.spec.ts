import { expect, test, type Page } from "@playwright/test";
import { ChangePasswordPage } from "./pages/change-password-page";
import { LoginPage } from "./pages/login-page";
import { ROLE_USERS, storageFor } from "./users";

async function createUser(page: Page, name: string, email: string, roleLabel: string) {
  const form = page.getByRole("form", { name: "Add a user" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Email").fill(email);
  await form.getByRole("combobox", { name: "Role" }).click();
  await page.getByRole("option", { name: roleLabel }).click();
  await form.getByRole("button", { name: "Create user" }).click();
  const dialog = page.getByRole("dialog", { name: "User created" });
  await expect(dialog).toBeVisible();
  const password = await dialog.getByLabel("Initial password").inputValue();
  return { dialog, password };
}

test.describe("user administration", () => {
  test.use({ storageState: storageFor("admin") });

  test("an admin creates a user who then signs in; focus comes back to the form", async ({
    page,
    browser,
  }) => {
    const email = `new.auditor.${Date.now()}@handoff.local`;
    await page.goto("/admin/users");
    const { dialog, password } = await createUser(page, "Nia New", email, "Auditor");
    expect(password).toHaveLength(20);
    await dialog.getByRole("button", { name: "Done" }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole("button", { name: "Create user" })).toBeFocused();
    await expect(page.getByRole("table", { name: "Users" })).toContainText(email);
    await expect(page.getByRole("form", { name: "Add a user" }).getByLabel("Name")).toHaveValue("");

    const fresh = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const other = await fresh.newPage();
    const login = new LoginPage(other);
    await login.goto();
    await login.signIn(email, password);
    // A one-time password is changed at the first sign-in.
    const change = new ChangePasswordPage(other);
    await change.expectShown();
    await change.change(password, "nia's own long passphrase");
    await expect(other.getByRole("heading", { level: 1 })).toContainText("Welcome, Nia New");
    await expect(other.getByRole("navigation", { name: "Main", exact: true }).getByRole("link")).toHaveText([
      ...ROLE_USERS.auditor.nav,
    ]);
    await fresh.close();
  });

  test("invalid input shows field errors, creates nothing and focuses the first invalid field", async ({
    page,
  }) => {
    await page.goto("/admin/users");
    const form = page.getByRole("form", { name: "Add a user" });
    await form.getByLabel("Email").fill("not-an-email");
    await form.getByRole("button", { name: "Create user" }).click();
    await expect(form.getByText("Enter a valid email address")).toBeVisible();
    await expect(form.getByText("Name is required")).toBeVisible();
    await expect(form.getByLabel("Name")).toBeFocused();
    await expect(form.getByLabel("Name")).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByRole("dialog")).toHaveCount(0);
  });

  test("a taken email is refused on its field, with focus on it", async ({ page }) => {
    await page.goto("/admin/users");
    const form = page.getByRole("form", { name: "Add a user" });
    await form.getByLabel("Name").fill("Second Admin");
    await form.getByLabel("Email").fill("admin@handoff.local");
    await form.getByRole("button", { name: "Create user" }).click();
    const email = form.getByLabel("Email");
    await expect(email).toHaveAttribute("aria-invalid", "true");
    await expect(email).toBeFocused();
    await expect(page.getByRole("dialog")).toHaveCount(0);
  });

  test("an admin cannot disable their own account", async ({ page }) => {
    await page.goto("/admin/users");
    const row = page.getByRole("row", { name: /admin@handoff\.local/ });
    await expect(row.getByRole("button", { name: "Disable", exact: true })).toBeDisabled();
  });

  test("one arrow key on a role select opens the list, not the confirmation; a picked role is confirmed first", async ({
    page,
  }) => {
    const email = `role.change.${Date.now()}@handoff.local`;
    await page.goto("/admin/users");
    const { dialog } = await createUser(page, "Rory Role", email, "Compliance officer");
    await dialog.getByRole("button", { name: "Done" }).click();
    // The closing dialog moves focus as it unmounts; wait for that before focusing the select.
    await expect(dialog).toBeHidden();

    const select = page.getByRole("combobox", { name: `Role of ${email}` });
    await expect(select).toHaveText("Compliance officer");
    await select.focus();
    await page.keyboard.press("ArrowDown");
    await expect(page.getByRole("listbox")).toBeVisible();
    await expect(page.getByRole("alertdialog")).toHaveCount(0);
    await page.keyboard.press("Escape");
    await expect(page.getByRole("listbox")).toHaveCount(0);
    await expect(select).toBeFocused();
    await expect(page.getByRole("alertdialog")).toHaveCount(0);

    // Cancel: nothing changes and focus returns to the select.
    await select.click();
    await page.getByRole("option", { name: "Auditor" }).click();
    const confirm = page.getByRole("alertdialog", { name: "Change the role?" });
    await expect(confirm).toContainText(`${email} goes from Compliance officer to Auditor`);
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await expect(confirm).toBeHidden();
    await expect(select).toBeFocused();
    await expect(select).toHaveText("Compliance officer");

    // Confirm: the role changes, a toast says so, focus returns to the select.
    await select.click();
    await page.getByRole("option", { name: "Auditor" }).click();
    await confirm.getByRole("button", { name: "Change role" }).click();
    await expect(confirm).toBeHidden();
    await expect(page.getByText(`${email} is now Auditor.`)).toBeVisible();
    await expect(select).toHaveText("Auditor");
    await expect(select).toBeFocused();
  });

  test("disable and re-enable go through a confirmation and keep focus on the button", async ({ page }) => {
    const email = `disable.me.${Date.now()}@handoff.local`;
    await page.goto("/admin/users");
    const { dialog } = await createUser(page, "Dana Disable", email, "Compliance officer");
    await dialog.getByRole("button", { name: "Done" }).click();
    const row = page.getByRole("row", { name: new RegExp(email.replace(/\./g, "\\.")) });

    await row.getByRole("button", { name: "Disable", exact: true }).click();
    const confirm = page.getByRole("alertdialog", { name: "Disable this user?" });
    await confirm.getByRole("button", { name: "Disable", exact: true }).click();
    await expect(confirm).toBeHidden();
    await expect(page.getByText(`${email} is disabled.`)).toBeVisible();
    await expect(row).toContainText("disabled");
    const reEnable = row.getByRole("button", { name: "Re-enable", exact: true });
    await expect(reEnable).toBeFocused();

    await reEnable.click();
    await page
      .getByRole("alertdialog", { name: "Re-enable this user?" })
      .getByRole("button", { name: "Re-enable", exact: true })
      .click();
    await expect(page.getByText(`${email} is re-enabled.`)).toBeVisible();
    await expect(row).toContainText("active");
    await expect(row.getByRole("button", { name: "Disable", exact: true })).toBeFocused();
  });

  test("sign out everywhere asks first, ends the user's sessions and says how many", async ({
    page,
    browser,
  }) => {
    const email = `sign.out.${Date.now()}@handoff.local`;
    await page.goto("/admin/users");
    const { dialog, password } = await createUser(page, "Sam Signout", email, "Compliance officer");
    await dialog.getByRole("button", { name: "Done" }).click();

    const elsewhere = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const theirs = await elsewhere.newPage();
    const login = new LoginPage(theirs);
    await login.goto();
    await login.signIn(email, password);
    await new ChangePasswordPage(theirs).expectShown();

    const row = page.getByRole("row", { name: new RegExp(email.replace(/\./g, "\\.")) });
    const trigger = row.getByRole("button", { name: `Sign out everywhere: ${email}` });
    await trigger.click();
    const confirm = page.getByRole("alertdialog", { name: "Sign out everywhere?" });
    await expect(confirm).toContainText(`Every session of ${email} ends now`);
    const answer = page.waitForResponse((r) => r.url().includes("/sessions/revoke"));
    await confirm.getByRole("button", { name: "Sign out everywhere" }).click();
    const response = await answer;
    expect(response.request().method()).toBe("POST");
    expect(response.request().postDataJSON()).toEqual({});
    expect(response.status()).toBe(200);
    await expect(confirm).toBeHidden();
    await expect(trigger).toBeFocused();
    await expect(page.getByText(`${email} is signed out everywhere (1 session ended).`)).toBeVisible();

    await theirs.goto("/");
    await expect(theirs).toHaveURL(/\/login/);
    await elsewhere.close();
  });
});
