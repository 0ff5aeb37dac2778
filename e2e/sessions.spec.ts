import { expect, test, type Page } from "@playwright/test";
import { storageFor } from "./users";

/**
 * The session picker over the demo's mirrored Northwind sessions: filters in the URL, search as you
 * type, keyset "Load more", and a session's side panel with its decision read from Didit.
 */

/** The demo's sync fills the mirror after start: wait until the table shows sessions. */
async function openPicker(page: Page, query = "") {
  await expect
    .poll(
      async () => {
        const res = await page.request.get("/api/sessions?limit=1");
        const body = (await res.json()) as { items?: unknown[] };
        return (body.items?.length ?? 0) > 0;
      },
      { timeout: 60_000, intervals: [500, 1_000, 2_000] },
    )
    .toBe(true);
  await page.goto(`/sessions${query}`);
  const table = page.getByRole("table", { name: "Sessions" });
  await expect(table).toBeVisible();
  return table;
}

const bodyRows = (page: Page) => page.getByRole("table", { name: "Sessions" }).locator("tbody tr");
/** The list shows the previous rows while a new filter loads (aria-busy): wait for the new ones. */
const settled = (page: Page) => expect(page.locator('[aria-busy="true"]')).toHaveCount(0);

test.describe("session picker, as the compliance officer", () => {
  test.use({ storageState: storageFor("officer") });

  test("filters by kind and status in the URL, searches as you type, loads more, and opens a session", async ({
    page,
  }) => {
    await openPicker(page);
    // Finished only by default.
    await expect(page.getByLabel("Finished only")).toBeChecked();
    const statuses = await bodyRows(page).locator("td:nth-child(4)").allInnerTexts();
    expect(statuses.length).toBeGreaterThan(0);
    for (const s of statuses) expect(["Approved", "Declined", "In Review"]).toContain(s.trim());

    // KYB only: the URL says so, and every row is KYB.
    await page.getByLabel("Kind").selectOption("business");
    await expect(page).toHaveURL(/kind=business/);
    await expect
      .poll(async () => {
        const kinds = await bodyRows(page).locator("td:nth-child(3)").allInnerTexts();
        return [...new Set(kinds.map((k) => k.trim()))];
      })
      .toEqual(["KYB"]);

    // Status In Review, then back (history) to all finished KYB sessions.
    await page.getByLabel("Status").selectOption("In Review");
    await expect(page).toHaveURL(/status=In(\+|%20)Review/);
    await settled(page);
    const reviewed = await bodyRows(page).locator("td:nth-child(4)").allInnerTexts();
    expect(new Set(reviewed.map((s) => s.trim()))).toEqual(new Set(["In Review"]));
    await page.goBack();
    await expect(page).not.toHaveURL(/status=/);

    // Search as you type: a company's name fragment narrows the list to it.
    const firstName = (await bodyRows(page).first().getByRole("button").innerText()).trim();
    // Names are searched from 3 letters: a word of the name, at most 5 letters of it.
    const fragment = (firstName.split(" ").find((w) => w.length >= 3) ?? firstName).slice(0, 5);
    await page.getByLabel("Search").fill(fragment);
    await expect(page).toHaveURL(new RegExp(`q=${encodeURIComponent(fragment)}`));
    // The previous rows stay while the search runs: wait until every row matches.
    await expect
      .poll(async () => {
        const names = await bodyRows(page).getByRole("button").allInnerTexts();
        return names.length > 0 && names.every((n) => n.toLowerCase().includes(fragment.toLowerCase()));
      })
      .toBe(true);

    // Nothing matches: say so, and offer to clear.
    await page.getByLabel("Search").fill("zzzz-no-such-session");
    await expect(page.getByText("No sessions match these filters")).toBeVisible();
    await page.getByRole("button", { name: "Clear filters" }).first().click();
    await expect(page).not.toHaveURL(/q=|kind=/);
    await expect(bodyRows(page).first()).toBeVisible();

    // Every status, and keyset paging: Load more appends the next page.
    await page.getByLabel("Finished only").uncheck();
    await expect(page).toHaveURL(/finished=false/);
    await settled(page);
    const before = await bodyRows(page).count();
    const more = page.getByRole("button", { name: "Load more" });
    if (before >= 50) {
      await more.click();
      await expect.poll(() => bodyRows(page).count()).toBeGreaterThan(before);
    }
    await page.getByLabel("Finished only").check();
    await settled(page);

    // Open the first finished session with the keyboard: the panel reads its decision from Didit.
    const open = bodyRows(page).first().getByRole("button");
    const label = (await open.getAttribute("aria-label"))!;
    const number = /#(\d+)/.exec(label)![1]!;
    await open.focus();
    await page.keyboard.press("Enter");
    const drawer = page.getByRole("dialog", { name: new RegExp(`#${number}`) });
    await expect(drawer).toBeVisible();
    await expect(page).toHaveURL(/session=[0-9a-f-]{36}/);
    await expect(drawer.getByRole("region", { name: "Identity" })).toBeVisible();
    await expect(drawer.getByRole("region", { name: "Checks" })).toBeVisible();
    await expect(drawer.getByRole("region", { name: "Lineage" })).toBeVisible();
    await expect(drawer.getByRole("region", { name: "Shares" })).toBeVisible();
    await expect(drawer.getByRole("button", { name: "Share with a partner" })).toBeVisible();
    // The panel survives a reload (its session is in the URL), and Escape closes it.
    await page.reload();
    await expect(page.getByRole("dialog", { name: new RegExp(`#${number}`) })).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(page.getByRole("dialog")).toBeHidden();
    await expect(page).not.toHaveURL(/session=/);
  });
});

test.describe("session picker, as the auditor", () => {
  test.use({ storageState: storageFor("auditor") });

  test("reads sessions and their decisions but has no Share button", async ({ page }) => {
    await openPicker(page);
    await bodyRows(page).first().getByRole("button").click();
    const drawer = page.getByRole("dialog");
    await expect(drawer.getByRole("region", { name: "Identity" })).toBeVisible();
    await expect(drawer.getByRole("button", { name: "Share with a partner" })).toHaveCount(0);
  });
});
