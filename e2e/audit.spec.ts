import { expect, test } from "@playwright/test";
import { storageFor } from "./users";

test.describe("audit trail", () => {
  test.use({ storageState: storageFor("auditor"), timezoneId: "Europe/Paris" });

  test("an auditor filters by action and sees the login events, with the chain verified", async ({
    page,
  }) => {
    await page.goto("/audit");
    await expect(page.getByRole("status", { name: "Chain verification" })).toContainText("Chain verified");
    const filters = page.getByRole("form", { name: "Audit filters" });
    await filters.getByLabel("Action", { exact: true }).fill("auth.login");
    const apply = filters.getByRole("button", { name: "Apply filters" });
    await apply.click();
    await expect(page).toHaveURL(/action=auth\.login/);
    await expect(apply).toBeFocused();
    const table = page.getByRole("table", { name: "Audit events" });
    await expect(table.getByRole("row").nth(1)).toContainText("auth.login");
    for (const email of ["admin@handoff.local", "officer@handoff.local", "auditor@handoff.local"]) {
      await expect(table).toContainText(email);
    }
    const actions = await table.locator("tbody code").allTextContents();
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.every((a) => a.startsWith("auth.login"))).toBe(true);

    await filters.getByLabel("Actor", { exact: true }).fill("officer@handoff.local");
    await filters.getByRole("button", { name: "Apply filters" }).click();
    await expect(page).toHaveURL(/actor=officer%40handoff\.local|actor=officer@handoff\.local/);
    await expect(table).not.toContainText("admin@handoff.local");
    await expect(table).toContainText("officer@handoff.local");

    // The filters are in the URL: a reload keeps them, Back goes to the previous filter.
    await page.reload();
    await expect(filters.getByLabel("Actor", { exact: true })).toHaveValue("officer@handoff.local");
    await expect(filters.getByLabel("Action", { exact: true })).toHaveValue("auth.login");
    await page.goBack();
    await expect(filters.getByLabel("Actor", { exact: true })).toHaveValue("");
    await expect(table).toContainText("admin@handoff.local");
  });

  test("times are shown in the reader's time zone, one format everywhere", async ({ page }) => {
    await page.goto("/audit");
    const firstTime = page
      .getByRole("table", { name: "Audit events" })
      .locator("tbody tr")
      .first()
      .locator("time");
    await expect(firstTime).toHaveText(/^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} CES?T$/);
    const iso = await firstTime.getAttribute("datetime");
    expect(new Date(iso!).toString()).not.toBe("Invalid Date");
  });

  test("a row's details open and close from the keyboard", async ({ page }) => {
    await page.goto("/audit");
    const table = page.getByRole("table", { name: "Audit events" });
    const toggle = table.getByRole("button", { name: /^Show details of event \d+$/ }).first();
    await toggle.focus();
    await page.keyboard.press("Enter");
    const hide = table.getByRole("button", { name: /^Hide details of event \d+$/ });
    await expect(hide).toHaveAttribute("aria-expanded", "true");
    await expect(hide).toBeFocused();
    await expect(table.getByText("Hash")).toBeVisible();
    await page.keyboard.press("Enter");
    await expect(table.getByText("Hash")).toHaveCount(0);
  });

  test("From after To is refused in plain words, on the From field", async ({ page }) => {
    await page.goto("/audit");
    // The chain status comes from the client: the form is hydrated by then.
    await expect(page.getByRole("status", { name: "Chain verification" })).toContainText("Chain verified");
    const filters = page.getByRole("form", { name: "Audit filters" });
    await filters.getByLabel("From", { exact: true }).fill("2026-12-02T10:00");
    await filters.getByLabel("To", { exact: true }).fill("2026-12-01T10:00");
    await filters.getByRole("button", { name: "Apply filters" }).click();
    await expect(filters.getByText("From must not be after To")).toBeVisible();
    await expect(filters.getByLabel("From", { exact: true })).toBeFocused();
    await expect(page).not.toHaveURL(/from=/);
  });

  test("a filter that matches nothing says so", async ({ page }) => {
    await page.goto("/audit?action=no.such.action");
    await expect(page.getByText("No events match these filters")).toBeVisible();
  });
});
