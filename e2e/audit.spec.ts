import { expect, test } from "@playwright/test";
import { storageFor } from "./users";

test.describe("audit trail", () => {
  test.use({ storageState: storageFor("auditor") });

  test("an auditor filters by action and sees the login events, with the chain verified", async ({
    page,
  }) => {
    await page.goto("/audit");
    await expect(page.getByRole("status", { name: "Chain verification" })).toContainText("Chain verified");
    const filters = page.getByRole("form", { name: "Audit filters" });
    await filters.getByLabel("Action").fill("auth.login");
    await filters.getByRole("button", { name: "Apply filters" }).click();
    await expect(page).toHaveURL(/action=auth\.login/);
    const table = page.getByRole("table", { name: "Audit events" });
    await expect(table.getByRole("row").nth(1)).toContainText("auth.login");
    for (const email of ["admin@handoff.local", "officer@handoff.local", "auditor@handoff.local"]) {
      await expect(table).toContainText(email);
    }
    const actions = await table.locator("tbody code").allTextContents();
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.every((a) => a.startsWith("auth.login"))).toBe(true);

    await filters.getByLabel("Actor").fill("officer@handoff.local");
    await filters.getByRole("button", { name: "Apply filters" }).click();
    await expect(table).not.toContainText("admin@handoff.local");
    await expect(table).toContainText("officer@handoff.local");
  });

  test("a filter that matches nothing says so", async ({ page }) => {
    await page.goto("/audit?action=no.such.action");
    await expect(page.getByText("No events match these filters")).toBeVisible();
  });
});
