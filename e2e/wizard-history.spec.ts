import { expect, test, type Page } from "@playwright/test";
import { importInReview, mirroredSession, shareBankToPay, type SessionItem } from "./review-world";
import { storageFor } from "./users";

/**
 * The share wizard and the browser's history (issue 15, item 14): Back goes one step back, Forward
 * forward again, Reload restores the step and the choices; and after Esc, focus is back on the
 * button that opened the dialog.
 */
async function openDrawer(page: Page, appId: string, session: SessionItem) {
  await page.goto(`/sessions?applicationId=${appId}&kind=user&q=${session.sessionId}`);
  const opener = page
    .getByRole("table", { name: "Sessions" })
    .getByRole("button", { name: new RegExp(`^Open session #${session.number}:`) });
  await opener.click();
  const drawer = page.getByRole("dialog", { name: new RegExp(`#${session.number}`) });
  await expect(drawer).toBeVisible();
  return { drawer, opener };
}

test.describe("the share wizard in the browser's history, as the compliance officer", () => {
  test.use({ storageState: storageFor("officer") });
  test.setTimeout(180_000);

  test("Back steps back, Forward steps forward, Reload restores the step and the choices", async ({
    page,
  }) => {
    const { app, session } = await mirroredSession(page.request, "Northwind Bank", "Approved");
    const { drawer } = await openDrawer(page, app.id, session);
    await drawer.getByRole("button", { name: "Share with a partner" }).click();
    const wizard = page.getByRole("dialog", { name: `Share session #${session.number}` });
    const heading = (name: string | RegExp) => wizard.getByRole("heading", { name });
    const pay = wizard.getByRole("radio", { name: /Northwind Pay/ });

    await expect(heading("Choose the partner")).toBeVisible();
    await pay.check();
    await wizard.getByRole("button", { name: "Next: lifetime" }).click();
    await expect(heading(/Choose how long Northwind Pay/)).toBeVisible();
    await wizard.getByRole("radio", { name: "Custom" }).check();
    await wizard.getByLabel("Custom lifetime").fill("45");
    await wizard.getByRole("button", { name: "Next: summary" }).click();
    await expect(heading("Check and confirm")).toBeVisible();
    await expect(wizard).toContainText("45 minutes");
    await expect(page).toHaveURL(/share=summary/);

    // Back: the lifetime step, its choice kept; Back again: the partner step, Northwind Pay chosen.
    await page.goBack();
    await expect(heading(/Choose how long Northwind Pay/)).toBeVisible();
    await expect(wizard.getByRole("radio", { name: "Custom" })).toBeChecked();
    await expect(wizard.getByLabel("Custom lifetime")).toHaveValue("45");
    await page.goBack();
    await expect(heading("Choose the partner")).toBeVisible();
    await expect(pay).toBeChecked();
    await expect(drawer).toBeVisible();

    // Forward twice: the summary again, with the same choices.
    await page.goForward();
    await expect(heading(/Choose how long Northwind Pay/)).toBeVisible();
    await page.goForward();
    await expect(heading("Check and confirm")).toBeVisible();
    await expect(wizard).toContainText("Northwind Pay");
    await expect(wizard).toContainText("45 minutes");

    // Reload: the drawer, the wizard and its summary come back as they were.
    await page.reload();
    await expect(heading("Check and confirm")).toBeVisible();
    await expect(wizard).toContainText("Northwind Pay");
    await expect(wizard).toContainText("45 minutes");
    await expect(wizard.getByRole("button", { name: "Confirm and share" })).toBeVisible();

    // Confirmed: the result replaces the summary, so Back does not offer the same confirmation
    // again; a reload of the result shows the share made.
    await wizard.getByRole("button", { name: "Confirm and share" }).click();
    await expect(wizard.getByTestId("share-result-state")).toHaveText("Delivered");
    await expect(page).toHaveURL(/share=result/);
    await page.reload();
    await expect(wizard.getByTestId("share-result-state")).toHaveText("Delivered");
    await page.goBack();
    await expect(heading(/Choose how long Northwind Pay/)).toBeVisible();

    // Back from the first step closes the wizard and leaves the drawer open.
    await page.goBack();
    await expect(heading("Choose the partner")).toBeVisible();
    await page.goBack();
    await expect(wizard).toBeHidden();
    await expect(drawer).toBeVisible();
  });

  test("a step whose choices no longer hold falls back to the step that needs them", async ({ page }) => {
    const { app, session } = await mirroredSession(page.request, "Northwind Bank", "Approved");
    await page.goto(
      `/sessions?applicationId=${app.id}&kind=user&q=${session.sessionId}&session=${session.sessionId}&share=summary&sharePartner=00000000-0000-4000-8000-000000000000&shareTtl=3600`,
    );
    const wizard = page.getByRole("dialog", { name: `Share session #${session.number}` });
    // A cold load: the page, the sessions panel, the decision read, the wizard and the partners in
    // turn (the other tests absorb it in a click, which has no timeout of its own).
    await expect(wizard.getByRole("heading", { name: "Choose the partner" })).toBeVisible({
      timeout: 60_000,
    });
    await expect(page).toHaveURL(/share=partner/);
  });
});

test.describe("focus after Esc returns to the opener, as the compliance officer", () => {
  test.use({ storageState: storageFor("officer") });
  test.setTimeout(180_000);

  test("the session drawer and the share wizard", async ({ page }) => {
    const { app, session } = await mirroredSession(page.request, "Northwind Bank", "Approved");
    const { drawer, opener } = await openDrawer(page, app.id, session);
    const share = drawer.getByRole("button", { name: "Share with a partner" });
    await share.click();
    const wizard = page.getByRole("dialog", { name: `Share session #${session.number}` });
    await expect(wizard.getByRole("heading", { name: "Choose the partner" })).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(wizard).toBeHidden();
    await expect(share).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(drawer).toBeHidden();
    await expect(opener).toBeFocused();
  });

  test("the import dialog, the decision confirmation and the revoke confirmation", async ({
    page,
    browser,
  }) => {
    const { shareId } = await shareBankToPay(page.request);
    await page.goto(`/inbox?q=${shareId}`);
    const importButton = page.getByRole("button", { name: "Import", exact: true });
    await importButton.click();
    const dialog = page.getByRole("dialog", { name: "Import this token?" });
    await expect(dialog).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(importButton).toBeFocused();

    const { importId } = await importInReview(page.request);
    await page.goto(`/reviews/${importId}`);
    const approve = page.getByRole("form", { name: "Decide" }).getByRole("button", { name: "Approve" });
    await approve.click();
    const confirm = page.getByRole("alertdialog", { name: "Approve this session?" });
    await expect(confirm).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(confirm).toBeHidden();
    await expect(approve).toBeFocused();

    const manager = await browser.newContext({ storageState: storageFor("partnerships") });
    const { session } = await mirroredSession(page.request, "Northwind Bank", "Approved");
    const eligible = (await (
      await page.request.get(`/api/partners?eligibleFor=${session.sessionId}`)
    ).json()) as { items: { partner: { id: string; name: string } }[] };
    const partnerId = eligible.items.find((i) => i.partner.name === "Northwind Pay")!.partner.id;
    const patch = (deliveryChannel: string) =>
      manager.request.patch(`/api/partners/${partnerId}`, { data: { deliveryChannel } });
    expect((await patch("manual")).status()).toBe(200);
    try {
      const res = await page.request.post("/api/shares", {
        data: { sessionId: session.sessionId, partnerId, ttlSeconds: 900 },
      });
      const { id } = (await res.json()) as { id: string };
      await page.goto(`/shares/${id}`);
      const revoke = page.getByRole("button", { name: "Revoke" });
      await revoke.click();
      const revokeDialog = page.getByRole("alertdialog", { name: "Revoke this share?" });
      await expect(revokeDialog).toBeVisible();
      await page.keyboard.press("Escape");
      await expect(revokeDialog).toBeHidden();
      await expect(revoke).toBeFocused();
    } finally {
      expect((await patch("internal")).status()).toBe(200);
      await manager.close();
    }
  });
});
