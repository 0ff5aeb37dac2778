import { expect, type Page } from "@playwright/test";

export class LoginPage {
  constructor(private readonly page: Page) {}

  async goto(callbackUrl?: string) {
    await this.page.goto(callbackUrl ? `/login?callbackUrl=${encodeURIComponent(callbackUrl)}` : "/login");
  }

  get email() {
    return this.page.getByLabel("Email");
  }

  get password() {
    return this.page.getByLabel("Password");
  }

  async signIn(email: string, password: string) {
    await this.email.fill(email);
    await this.password.fill(password);
    await this.page.getByRole("button", { name: "Sign in" }).click();
  }

  /** The attempt's message: announced (role=alert) and holding the focus. */
  async expectError(text: RegExp | string) {
    const alert = this.page.getByRole("alert").filter({ hasText: text });
    await expect(alert).toBeVisible();
    return alert;
  }
}
