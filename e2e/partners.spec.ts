import { expect, test } from "@playwright/test";
import { storageFor } from "./users";

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

test.describe("partner directory, as a partnership manager", () => {
  test.use({ storageState: storageFor("partnerships") });

  test("creates a partner (secret shown once), edits it and suspends it with a reason", async ({ page }) => {
    const name = `Acme Pay ${Date.now()}`;
    await page.goto("/partners");
    await expect(page.getByRole("table", { name: "Partners" })).toBeVisible();
    await page.getByRole("link", { name: "New partner" }).first().click();
    await expect(page.getByRole("heading", { level: 1, name: "New partner" })).toBeVisible();

    const form = page.getByRole("form", { name: "New partner" });
    // Nothing filled in: the shared schema's messages, and nothing is sent.
    await form.getByRole("button", { name: "Create partner" }).click();
    await expect(form.getByText("The partner's name is required")).toBeVisible();
    await expect(form.getByLabel("Name", { exact: true })).toBeFocused();

    await form.getByLabel("Name", { exact: true }).fill(name);
    await form.getByLabel("Partner's Didit application id").fill(crypto.randomUUID());
    await form.getByLabel("For our application").selectOption({ index: 1 });
    await form.getByLabel("Reference").fill("DSA-E2E-1");
    await form.getByLabel("Signed on").fill("2026-01-15");
    await form.getByLabel("Expires on").fill(inDays(10));
    await form.getByLabel("Delivery channel").selectOption("pickup");
    await form.getByRole("button", { name: "Create partner" }).click();

    const dialog = page.getByRole("dialog", { name: `Shared secret for ${name}` });
    await expect(dialog).toBeVisible();
    const secret = await dialog.getByLabel("Secret").inputValue();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    await expect(dialog).toContainText("shown only this once");
    await dialog.getByRole("button", { name: "Done" }).click();

    await expect(page).toHaveURL(/\/partners\/[0-9a-f-]{36}$/);
    await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
    await expect(page.getByText("expires in 10 days").first()).toBeVisible();
    await expect(page.getByText(`whsec_…${secret.slice(-4)}`)).toBeVisible();
    // The secret itself is never on the page again.
    expect(await page.content()).not.toContain(secret.slice(6, 30));
    const partnerId = page.url().split("/").pop()!;
    await expect(page.getByText(`handoff-partner-id: ${partnerId}`)).toBeVisible();

    await page.getByRole("button", { name: "Edit" }).click();
    const edit = page.getByRole("form", { name: "Edit partner" });
    await edit.getByLabel("Name", { exact: true }).fill(`${name} Ltd`);
    // Lifetimes in the share wizard's units (issue 15): minutes or hours, never seconds.
    await edit.getByLabel("Default token lifetime", { exact: true }).fill("25");
    await edit.getByLabel("Default token lifetime: unit").selectOption("hours");
    await edit.getByRole("button", { name: "Save changes" }).click();
    await expect(edit.getByText("The default lifetime must be at most 24 hours")).toBeVisible();
    await edit.getByLabel("Default token lifetime", { exact: true }).fill("30");
    await edit.getByLabel("Default token lifetime: unit").selectOption("minutes");
    await edit.getByRole("button", { name: "Save changes" }).click();
    await expect(edit).toBeHidden();
    await expect(page.getByText("default 30 minutes, at most 24 hours")).toBeVisible();

    await page.getByRole("button", { name: "Suspend" }).click();
    const suspend = page.getByRole("alertdialog", { name: `Suspend ${name} Ltd?` });
    await expect(suspend).toBeVisible();
    await suspend.getByRole("button", { name: "Suspend partner" }).click();
    await expect(suspend.getByText("Say why the partner is suspended")).toBeVisible();
    await suspend.getByLabel("Reason").fill("DPA under legal review");
    await suspend.getByRole("button", { name: "Suspend partner" }).click();
    await expect(suspend).toBeHidden();
    await expect(page.getByRole("alert").filter({ hasText: "DPA under legal review" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Reactivate" })).toBeVisible();

    await page.goto("/partners?status=suspended");
    const table = page.getByRole("table", { name: "Partners" });
    await expect(table.getByRole("link", { name: `${name} Ltd` })).toBeVisible();
    await expect(table).toContainText("DPA under legal review");
  });

  test("rotating the secret shows the new one once and keeps the old one for the overlap", async ({
    page,
  }) => {
    await page.goto("/partners");
    await page.getByRole("table", { name: "Partners" }).getByRole("link").first().click();
    await expect(page.getByRole("heading", { name: "Partner API and shared secret" })).toBeVisible();
    const button = page.getByRole("button", { name: /^(Rotate|Issue) secret$/ });
    const rotating = (await button.textContent())?.includes("Rotate");
    await button.click();
    const confirm = page.getByRole("alertdialog");
    if (rotating) await confirm.getByLabel("Overlap (hours, 0–168)").fill("2");
    await confirm.getByRole("button", { name: /^(Rotate|Issue) secret$/ }).click();
    const dialog = page.getByRole("dialog", { name: /^Shared secret for / });
    const secret = await dialog.getByLabel("Secret").inputValue();
    expect(secret).toMatch(/^whsec_/);
    if (rotating) await expect(dialog).toContainText("The previous secret keeps working until");
    await dialog.getByRole("button", { name: "Done" }).click();
    await expect(page.getByText(`whsec_…${secret.slice(-4)}`)).toBeVisible();
  });
});

test.describe("partner directory, as a compliance officer", () => {
  test.use({ storageState: storageFor("officer") });

  test("reads partners but sees no edit controls, and cannot open the new-partner page", async ({ page }) => {
    await page.goto("/partners");
    await expect(page.getByRole("table", { name: "Partners" })).toBeVisible();
    await expect(page.getByRole("link", { name: "New partner" })).toHaveCount(0);
    await page.getByRole("table", { name: "Partners" }).getByRole("link").first().click();
    await expect(page.getByRole("heading", { name: "Partner API and shared secret" })).toBeVisible();
    for (const name of ["Edit", "Suspend", "Reactivate", "Rotate secret", "Issue secret"]) {
      await expect(page.getByRole("button", { name, exact: true })).toHaveCount(0);
    }
    const response = await page.goto("/partners/new");
    expect(response?.status()).toBe(403);
  });
});
