import { readFileSync } from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import type { AnalyticsResponse } from "../lib/schemas/analytics";
import { importInReview } from "./review-world";
import { storageFor } from "./users";

async function apiAnalytics(page: Page, qs = ""): Promise<AnalyticsResponse> {
  const res = await page.request.get(`/api/analytics${qs}`);
  expect(res.status()).toBe(200);
  return (await res.json()) as AnalyticsResponse;
}

const pct = (rate: number | null) =>
  rate === null
    ? "—"
    : `${(Math.round(rate * 1000) / 10).toLocaleString("en-GB", { maximumFractionDigits: 1 })} %`;

test.describe("partner trust analytics", () => {
  test.use({ storageState: storageFor("officer") });

  test("after a share and an import, the page shows the API's figures; filters live in the URL; CSV downloads", async ({
    page,
  }) => {
    await importInReview(page.request);
    const api = await apiAnalytics(page);
    expect(api.totals.shared).toBeGreaterThanOrEqual(1);
    expect(api.totals.received).toBeGreaterThanOrEqual(1);
    expect(api.totals.imported).toBeGreaterThanOrEqual(1);
    // Both sides of the demo: Northwind Bank's partner Northwind Pay, and the reverse.
    const names = api.partners.map((p) => p.partnerName);
    expect(names).toEqual(expect.arrayContaining(["Northwind Pay", "Northwind Bank"]));

    await page.goto("/analytics");
    await expect(page.getByRole("heading", { level: 1, name: "Partner trust analytics" })).toBeVisible();
    const totals = page.getByRole("list", { name: "Totals" });
    const kpi = (id: string) => totals.locator(`[data-kpi="${id}"] [data-kpi-value]`);
    await expect(kpi("shared")).toHaveText(String(api.totals.shared));
    await expect(kpi("received")).toHaveText(String(api.totals.received));
    await expect(kpi("import-rate")).toHaveText(pct(api.totals.importRate));
    await expect(kpi("expired")).toHaveText(String(api.totals.sharedExpiredUndelivered));
    await expect(kpi("override")).toHaveText(pct(api.totals.override.rate));
    await expect(kpi("recalls")).toHaveText(String(api.totals.recallsSent + api.totals.recallsReceived));
    // The period in the console's day format (7 Dec 2026), not the API's ISO dates.
    const day = (iso: string) =>
      new Intl.DateTimeFormat("en-GB", {
        day: "numeric",
        month: "short",
        year: "numeric",
        timeZone: "UTC",
      }).format(new Date(`${iso}T00:00:00Z`));
    await expect(page.getByText(`From ${day(api.period.from)} to ${day(api.period.to)}`)).toBeVisible();
    await expect(page.getByText(api.period.from)).toHaveCount(0);

    const table = page.getByRole("table", { name: "Partner analytics" });
    await expect(table.getByRole("row")).toHaveCount(api.partners.length + 1);
    for (const p of api.partners) {
      const row = table
        .getByRole("row")
        .filter({ has: page.getByRole("link", { name: p.partnerName, exact: true }) });
      const cells = row.getByRole("cell");
      await expect(cells.nth(1)).toHaveText(String(p.shared));
      await expect(cells.nth(5)).toHaveText(String(p.received));
      await expect(cells.nth(6)).toHaveText(`${p.imported} (${pct(p.importRate)})`);
    }
    // Sortable: a count sorts most first, then least first.
    await table.getByRole("button", { name: "Received", exact: true }).click();
    await expect(table.getByRole("columnheader", { name: "Received", exact: true })).toHaveAttribute(
      "aria-sort",
      "descending",
    );
    await table.getByRole("button", { name: "Received", exact: true }).click();
    await expect(table.getByRole("columnheader", { name: "Received", exact: true })).toHaveAttribute(
      "aria-sort",
      "ascending",
    );

    await expect(
      page.getByRole("figure", { name: /Tokens shared, received and imported per week/ }),
    ).toBeVisible();
    await expect(page.locator(".recharts-line").first()).toBeVisible();
    await page.screenshot({ path: "test-results/analytics-page.png", fullPage: true });
    // Accessible with figures, charts and the table on screen (the a11y spec sees it empty at first).
    const axe = await new AxeBuilder({ page })
      .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
      .analyze();
    expect(
      axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    ).toEqual([]);

    // Filters go to the URL and to the API.
    await page.getByLabel("Period").selectOption("30");
    await expect(page).toHaveURL(/range=30/);
    await page.getByLabel("Chart by").selectOption("day");
    await expect(page).toHaveURL(/bucket=day/);
    await expect(page.getByRole("figure", { name: /per day/ })).toBeVisible();

    // The CSV: a header row and one row per partner, as an attachment.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^analytics-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, "utf8");
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]!.startsWith("period_from,period_to,partner_id,partner_name")).toBe(true);
    const thirty = await apiAnalytics(page, `?from=${lines[1]!.split(",")[0]}&to=${lines[1]!.split(",")[1]}`);
    expect(lines).toHaveLength(thirty.partners.length + 1);
  });

  test("a period without activity says what to do", async ({ page }) => {
    await page.goto("/analytics?range=custom&from=2020-01-01&to=2020-01-31");
    await expect(page.getByText("No shares or imports in this period")).toBeVisible();
    await expect(page.getByRole("link", { name: "Open Sessions" })).toBeVisible();
    await expect(page.getByLabel("From")).toHaveValue("2020-01-01");
  });

  test("a reversed period in the URL shows the API's message", async ({ page }) => {
    await page.goto("/analytics?range=custom&from=2026-02-10&to=2026-02-01");
    await expect(page.getByText("The analytics could not be loaded")).toBeVisible();
    await expect(page.getByText("The period or a filter is invalid.")).toBeVisible();
    await expect(page.getByText("From must not be after To")).toBeVisible();
  });
});

test.describe("analytics for the administrator", () => {
  test.use({ storageState: storageFor("admin") });
  test("is forbidden (page and API)", async ({ page }) => {
    const res = await page.goto("/analytics");
    expect(res?.status()).toBe(403);
    expect((await page.request.get("/api/analytics")).status()).toBe(403);
  });
});
