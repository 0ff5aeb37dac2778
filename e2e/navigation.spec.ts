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

  test("an officer cannot open user administration or the audit trail", async ({ page }) => {
    await page.goto("/admin/users");
    await expect(page.getByRole("heading", { name: /cannot open user administration/ })).toBeVisible();
    await page.goto("/audit");
    await expect(page.getByRole("heading", { name: /cannot open the audit trail/ })).toBeVisible();
    const api = await page.request.get("/api/users");
    expect(api.status()).toBe(403);
  });
});
