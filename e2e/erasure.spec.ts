import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { mirroredSession } from "./review-world";
import { storageFor } from "./users";

const SHOTS = "/tmp/shots";

type Row = { sessionId: string; number: number | null; displayName: string | null; applicationName: string };

async function expectAxeClean(page: Page, what: string) {
  const { violations } = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  expect(
    violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    `axe violations on ${what}`,
  ).toEqual([]);
}

/** A named, declined Northwind Bank KYC session no other spec shares (they share approved ones). */
async function namedSession(request: APIRequestContext): Promise<Row> {
  const { app } = await mirroredSession(request, "Northwind Bank", "Declined");
  const res = await request.get(`/api/sessions?applicationId=${app.id}&kind=user&status=Declined&limit=50`);
  const items = ((await res.json()) as { items: Row[] }).items;
  // A name no other listed session carries, so the picker's answer is about this one only.
  const row = items.find(
    (s) =>
      s.displayName && s.number !== null && items.filter((o) => o.displayName === s.displayName).length === 1,
  );
  expect(row, "a named declined session is mirrored").toBeTruthy();
  return row!;
}

test.describe("erasure, as the admin", () => {
  test.use({ storageState: storageFor("admin") });
  test.setTimeout(120_000);

  test("erases a demo session with the Didit delete from /erasure; the picker no longer shows its name", async ({
    page,
  }) => {
    const session = await namedSession(page.request);
    const name = session.displayName!;

    await page.goto("/erasure");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Erasure");
    await expect(page.getByText("What erasure removes, and what it keeps")).toBeVisible();
    await expectAxeClean(page, "/erasure");

    await page.getByRole("button", { name: "New erasure request" }).click();
    const dialog = page.getByRole("dialog", { name: "New erasure request" });
    await dialog.getByPlaceholder("Name, number, vendor_data or session uuid").fill(name);
    const option = dialog.getByRole("option").filter({ hasText: session.sessionId });
    await expect(option).toBeVisible();
    await expect(option).toContainText(name);
    await option.click();
    await expect(dialog.getByText(session.sessionId)).toBeVisible();

    // Too short a reason is refused before anything is sent.
    await dialog.getByLabel("Reason").fill("gdpr");
    await dialog.getByRole("button", { name: "Continue" }).click();
    await expect(dialog.getByRole("alert")).toContainText("at least 10 characters");
    await dialog.getByLabel("Reason").fill("Data subject request DSR-E2E-0001 under GDPR art. 17");
    await dialog.getByLabel("Also delete the session at Didit").check();
    await expectAxeClean(page, "the new erasure request dialog");
    await dialog.getByRole("button", { name: "Continue" }).click();

    const confirm = page.getByRole("dialog", { name: "Confirm the erasure" });
    await expect(confirm).toContainText("Didit is asked to delete the session");
    const erase = confirm.getByRole("button", { name: "Erase session" });
    await confirm.getByLabel("Session id").fill("not the id");
    await expect(erase).toBeDisabled();
    await confirm.getByLabel("Session id").fill(session.sessionId.toUpperCase());
    await expect(erase).toBeEnabled();
    await erase.click();

    const done = page.getByRole("dialog", { name: "Session erased" });
    await expect(done).toBeVisible();
    await expect(done).toContainText("1 mirrored session");
    await expect(done).toContainText("Deleted at Didit");
    await expect(done).toContainText(/[0-9a-f]{64}/);
    await page.screenshot({ path: `${SHOTS}/erasure-result.png`, fullPage: true });
    await expectAxeClean(page, "the erasure result");
    await done.getByRole("button", { name: "Done" }).click();

    const table = page.getByRole("table", { name: "Erasure requests" });
    const row = table.getByRole("row").filter({ hasText: session.sessionId });
    await expect(row).toContainText("Erased");
    await expect(row).toContainText("Deleted at Didit");
    await expect(row).not.toContainText(name);
    await page.screenshot({ path: `${SHOTS}/erasure-list.png`, fullPage: true });

    // The picker: neither its name nor its id finds it any more.
    const byName = (await (
      await page.request.get(`/api/sessions?q=${encodeURIComponent(name)}&finished=false&limit=100`)
    ).json()) as { items: Row[] };
    expect(byName.items.map((s) => s.sessionId)).not.toContain(session.sessionId);
    const byId = (await (
      await page.request.get(`/api/sessions?q=${session.sessionId}&finished=false`)
    ).json()) as { items: Row[] };
    expect(byId.items).toEqual([]);

    await page.getByRole("button", { name: "New erasure request" }).click();
    const again = page.getByRole("dialog", { name: "New erasure request" });
    await again.getByPlaceholder("Name, number, vendor_data or session uuid").fill(name);
    await expect(again.getByRole("option").filter({ hasText: session.sessionId })).toHaveCount(0);
    await page.keyboard.press("Escape");

    // Didit no longer has it: the lineage page still resolves the id from our records.
    await page.goto(`/lineage/${session.sessionId}`);
    const link = page.getByRole("link", { name: "Request erasure" });
    await expect(link).toHaveAttribute("href", `/erasure?session=${session.sessionId}`);
    // It opens the dialog with the session filled in; erasing it again is refused, and says so.
    await link.click();
    const prefilled = page.getByRole("dialog", { name: "New erasure request" });
    await expect(prefilled.getByText(session.sessionId)).toBeVisible();
    await prefilled.getByLabel("Reason").fill("Data subject request DSR-E2E-0001, second attempt");
    await prefilled.getByRole("button", { name: "Continue" }).click();
    const second = page.getByRole("dialog", { name: "Confirm the erasure" });
    await second.getByLabel("Session id").fill(session.sessionId);
    await second.getByRole("button", { name: "Erase session" }).click();
    await expect(second.getByRole("alert")).toContainText("already erased");
  });
});

test.describe("retention, as the admin", () => {
  test.use({ storageState: storageFor("admin") });

  test("sets a retention period on an application, refuses one out of Didit's bounds, runs it, and keeps again", async ({
    page,
  }) => {
    await page.goto("/applications");
    const row = page.getByRole("table", { name: "Connected applications" }).getByRole("row").filter({
      hasText: "Northwind Pay",
    });
    await row.getByRole("button", { name: /^Retention of Northwind Pay: keep$/ }).click();
    const dialog = page.getByRole("dialog", { name: "Retention of Northwind Pay" });
    await expect(dialog).toContainText("Ids, session numbers and statuses stay");
    await dialog.getByRole("radio", { name: "Remove personal data after a number of days" }).check();
    await dialog.getByLabel("Days", { exact: true }).fill("12");
    await dialog.getByRole("button", { name: "Save retention" }).click();
    await expect(dialog).toContainText("at least 30 days");
    // Ten years: nothing of the demo is that old, so the run removes nothing other specs need.
    await dialog.getByLabel("Days", { exact: true }).fill("3650");
    await expectAxeClean(page, "the retention dialog");
    await page.screenshot({ path: `${SHOTS}/retention-dialog.png`, fullPage: true });
    await dialog.getByRole("button", { name: "Save retention" }).click();
    await expect(dialog).toBeHidden();
    const button = row.getByRole("button", { name: /^Retention of Northwind Pay: 3650 days$/ });
    await expect(button).toHaveText("3,650 days");

    await button.click();
    await dialog.getByRole("button", { name: "Run now" }).click();
    await expect(dialog.getByRole("status").filter({ hasText: "Removed:" })).toContainText(
      "0 mirrored sessions, 0 inbox items",
    );
    await expect(dialog).toContainText("Last run");
    await dialog.getByRole("radio", { name: /^Keep/ }).check();
    await dialog.getByRole("button", { name: "Save retention" }).click();
    await expect(row.getByRole("button", { name: /^Retention of Northwind Pay: keep$/ })).toHaveText("Keep");
  });
});

test.describe("erasure, as the compliance officer", () => {
  test.use({ storageState: storageFor("officer") });

  test("cannot open the erasure page (403) or call its API", async ({ page }) => {
    const res = await page.goto("/erasure");
    expect(res?.status()).toBe(403);
    expect((await page.request.get("/api/erasure")).status()).toBe(403);
  });
});
