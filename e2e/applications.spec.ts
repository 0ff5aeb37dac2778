import { expect, test } from "@playwright/test";
import { storageFor } from "./users";

test.describe("connected applications", () => {
  test.use({ storageState: storageFor("admin") });

  test("the demo's two Northwind applications are connected: key ••••last4, webhook registered, synced", async ({
    page,
  }) => {
    await page.goto("/applications");
    const table = page.getByRole("table", { name: "Connected applications" });
    await expect(table).toBeVisible();
    for (const name of ["Northwind Bank", "Northwind Pay"]) {
      const row = table.getByRole("row").filter({ hasText: name });
      await expect(row).toContainText(/••••\S{4}/);
      // The setup job runs once the server listens; the list polls until it settles.
      await expect(row.getByText("Registered")).toBeVisible({ timeout: 60_000 });
      await expect(row.getByText("Up to date")).toBeVisible({ timeout: 60_000 });
    }
  });

  test("a key Didit refuses is reported on the key field and nothing changes", async ({ page }) => {
    await page.goto("/applications");
    const row = page.getByRole("row").filter({ hasText: "Northwind Pay" });
    const before = await row.getByText(/••••\S{4}/).textContent();
    await page.getByRole("button", { name: "More actions: Northwind Pay" }).click();
    await page.getByRole("menuitem", { name: "Rotate key" }).click();
    const dialog = page.getByRole("dialog", { name: "Rotate the API key" });
    await dialog.getByLabel("New API key").fill("not-the-right-key-1234");
    await dialog.getByRole("button", { name: "Test and replace the key" }).click();
    await expect(dialog.getByText(/Didit refused this API key/)).toBeVisible();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(row.getByText(/••••\S{4}/)).toHaveText(before!);
  });

  test("the connect form checks its fields before anything is sent", async ({ page }) => {
    await page.goto("/applications");
    await page.getByRole("button", { name: "Connect an application" }).click();
    const dialog = page.getByRole("dialog", { name: "Connect a Didit application" });
    await dialog.getByRole("button", { name: "Test key and connect" }).click();
    await expect(dialog.getByText("Name is required")).toBeVisible();
    await expect(dialog.getByText(/must be a UUID/)).toBeVisible();
    await expect(dialog.getByText(/too short to be a Didit API key/)).toBeVisible();
  });
});

test.describe("connected applications for other roles", () => {
  test.use({ storageState: storageFor("officer") });

  test("an officer gets the 403 view", async ({ page }) => {
    const response = await page.goto("/applications");
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: /Your role cannot open/ })).toBeVisible();
  });
});
