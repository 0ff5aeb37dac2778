import AxeBuilder from "@axe-core/playwright";
import { randomUUID } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { importInReview } from "./review-world";
import { storageFor } from "./users";

const SHOTS = "/tmp/shots";

async function expectAxeClean(page: Page, what: string) {
  const { violations } = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  expect(
    violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    `axe violations on ${what}`,
  ).toEqual([]);
}

test.describe("lineage, as the compliance officer", () => {
  test.use({ storageState: storageFor("officer") });
  test.setTimeout(180_000);

  test("Bank shares to Pay, Pay imports; the review page's Trace lineage shows both sessions and the step; a node opens its review", async ({
    page,
  }) => {
    const { importId, cloneSessionId, session } = await importInReview(page.request);

    await page.goto(`/reviews/${importId}`);
    await page.getByRole("region", { name: "Lineage" }).getByRole("link", { name: "Trace lineage" }).click();
    await expect(page).toHaveURL(new RegExp(`/lineage/${session.sessionId}$`));
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(
      `Lineage of session ${session.sessionId.slice(0, 8)}`,
    );

    // Other specs may have shared the same demo session before: at least these two sessions.
    const graph = page.getByRole("figure", { name: /^Lineage graph: \d+ sessions, \d+ steps$/ });
    await expect(graph).toBeVisible();
    const source = graph.locator(`[data-node-id="${session.sessionId}"]`);
    const clone = graph.locator(`[data-node-id="${cloneSessionId}"]`);
    await expect(source).toContainText("Northwind Bank");
    await expect(source).toContainText("Approved");
    await expect(clone).toContainText("Northwind Pay");
    await expect(clone).toContainText("In Review");
    // One drawn edge for the step: shared, then imported.
    await expect(
      graph.getByRole("img", { name: `Edge from ${session.sessionId} to ${cloneSessionId}` }),
    ).toContainText("shared + imported");
    const timeline = page.getByRole("list", { name: "Timeline" });
    // Steps in words with people by name (their email on hover), not "share.created by officer@…".
    await expect(timeline).toContainText("Olu Officer shared the session");
    await expect(timeline).toContainText("Olu Officer imported the token");
    await expect(timeline.getByText("Olu Officer", { exact: true }).first()).toHaveAttribute(
      "title",
      "officer@handoff.local",
    );
    await expect(timeline).not.toContainText("share.created");
    await page.screenshot({ path: `${SHOTS}/lineage-graph.png`, fullPage: true });
    await expectAxeClean(page, "the lineage page");

    // The clone's node opens its review.
    await clone.getByRole("link").click();
    await expect(page).toHaveURL(new RegExp(`/reviews/${importId}$`));

    // From the clone, the same graph: the source upstream.
    await page.goto(`/lineage/${cloneSessionId}`);
    await expect(page.getByRole("figure", { name: /^Lineage graph: \d+ sessions/ })).toBeVisible();
  });

  test("the search box: a uuid goes straight to its lineage; an unknown one says so", async ({ page }) => {
    const { session } = await importInReview(page.request);
    await page.goto("/lineage");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Lineage");
    await expectAxeClean(page, "/lineage");
    const box = page.getByRole("search", { name: "Find a session's lineage" });
    await box.getByLabel("Session uuid, number or vendor_data").fill(session.sessionId.toUpperCase());
    await box.getByRole("button", { name: "Trace" }).click();
    await expect(page).toHaveURL(new RegExp(`/lineage/${session.sessionId}$`));
    await expect(page.getByRole("figure", { name: /^Lineage graph/ })).toBeVisible();

    await box.getByLabel("Session uuid, number or vendor_data").fill("no-such-vendor-data-anywhere");
    await box.getByRole("button", { name: "Trace" }).click();
    await expect(page.getByRole("status").filter({ hasText: "No session matches" })).toBeVisible();

    const unknown = randomUUID();
    await page.goto(`/lineage/${unknown}`);
    await expect(page.getByText(`No session found for “${unknown}”`)).toBeVisible();
    await expectAxeClean(page, "an unknown session's lineage");

    // Typed by hand with a space: the heading and the message show it as typed, not URL-encoded.
    await page.goto("/lineage/hello%20world");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Lineage of session “hello world”");
    await expect(page.getByText("No session found for “hello world”")).toBeVisible();
    await expect(page.getByText("%20")).toHaveCount(0);
  });
});

test.describe("lineage, as the partnership manager", () => {
  test.use({ storageState: storageFor("partnerships") });

  test("the page and the API are refused", async ({ page }) => {
    const res = await page.goto("/lineage");
    expect(res?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: /Your role cannot open/ })).toBeVisible();
    const api = await page.request.get(`/api/lineage/${randomUUID()}`);
    expect(api.status()).toBe(403);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe("forbidden");
  });
});
