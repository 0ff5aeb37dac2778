import { expect, type Page } from "@playwright/test";

export class ChangePasswordPage {
  constructor(private readonly page: Page) {}

  get form() {
    return this.page.getByRole("form", { name: "Change password" });
  }

  async goto() {
    await this.page.goto("/account/password");
  }

  async expectShown() {
    await expect(this.page).toHaveURL(/\/account\/password$/);
    await expect(this.page.getByRole("heading", { level: 1, name: "Change password" })).toBeVisible();
  }

  async change(current: string, next: string, repeat = next) {
    await this.form.getByLabel("Current password").fill(current);
    await this.form.getByLabel("New password", { exact: true }).fill(next);
    await this.form.getByLabel("Repeat the new password").fill(repeat);
    await this.form.getByRole("button", { name: "Change password" }).click();
  }
}
