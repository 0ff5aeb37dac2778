import { expect, test as setup } from "@playwright/test";
import { LoginPage } from "./pages/login-page";
import { ROLE_USERS, storageFor, type E2ERole } from "./users";

for (const role of Object.keys(ROLE_USERS) as E2ERole[]) {
  setup(`sign in as ${role}`, async ({ page }) => {
    const login = new LoginPage(page);
    await login.goto();
    await login.signIn(ROLE_USERS[role].email, ROLE_USERS[role].password);
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Welcome");
    await page.context().storageState({ path: storageFor(role) });
  });
}
