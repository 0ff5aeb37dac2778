import { expect, test, type Download, type Page } from "@playwright/test";
import { storageFor } from "./users";

/**
 * The chain's status and the recorded verification agree: "Chain verified" with the last recorded
 * verification under it, or "Not verified yet" (this visit's read-only walk only) and no record.
 */
async function expectChainTruthful(page: Page) {
  const chain = page.getByRole("status", { name: "Chain verification" });
  await expect(chain).toContainText(/Chain verified|Not verified yet/);
  if ((await chain.textContent())!.includes("Not verified yet")) {
    await expect(chain).toContainText("No verification is recorded");
    await expect(page.getByTestId("last-verification")).toHaveCount(0);
  } else {
    await expect(page.getByTestId("last-verification")).toBeVisible();
    await expect(page.getByText("No verification is recorded")).toHaveCount(0);
  }
}

test.describe("audit trail", () => {
  test.use({ storageState: storageFor("auditor"), timezoneId: "Europe/Paris" });

  test("an auditor filters by action and sees the login events, with the chain verified", async ({
    page,
  }) => {
    await page.goto("/audit");
    await expectChainTruthful(page);
    const filters = page.getByRole("form", { name: "Audit filters" });
    await filters.getByLabel("Action", { exact: true }).fill("auth.login");
    const apply = filters.getByRole("button", { name: "Apply filters" });
    await apply.click();
    await expect(page).toHaveURL(/action=auth\.login/);
    await expect(apply).toBeFocused();
    const table = page.getByRole("table", { name: "Audit events" });
    await expect(table.getByRole("row").nth(1)).toContainText("auth.login");
    // People are shown by name, their email on hover.
    const person = (email: string) => table.locator(`[title="${email}"]`);
    for (const email of ["admin@handoff.local", "officer@handoff.local", "auditor@handoff.local"]) {
      await expect(person(email).first()).toBeVisible();
    }
    const actions = await table.locator("tbody code").allTextContents();
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.every((a) => a.startsWith("auth.login"))).toBe(true);

    await filters.getByLabel("Actor", { exact: true }).fill("officer@handoff.local");
    await filters.getByRole("button", { name: "Apply filters" }).click();
    await expect(page).toHaveURL(/actor=officer%40handoff\.local|actor=officer@handoff\.local/);
    await expect(person("admin@handoff.local")).toHaveCount(0);
    await expect(person("officer@handoff.local").first()).toBeVisible();

    // The filters are in the URL: a reload keeps them, Back goes to the previous filter.
    await page.reload();
    await expect(filters.getByLabel("Actor", { exact: true })).toHaveValue("officer@handoff.local");
    await expect(filters.getByLabel("Action", { exact: true })).toHaveValue("auth.login");
    await page.goBack();
    await expect(filters.getByLabel("Actor", { exact: true })).toHaveValue("");
    await expect(person("admin@handoff.local").first()).toBeVisible();
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
    await expectChainTruthful(page);
    const filters = page.getByRole("form", { name: "Audit filters" });
    await filters.getByLabel("From", { exact: true }).fill("2026-12-02T10:00");
    await filters.getByLabel("To", { exact: true }).fill("2026-12-01T10:00");
    await filters.getByRole("button", { name: "Apply filters" }).click();
    await expect(filters.getByText("From must not be after To")).toBeVisible();
    await expect(filters.getByLabel("From", { exact: true })).toBeFocused();
    // A valid From alone may apply as it is typed (the bar follows what is typed); the reversed pair never.
    await expect(page).not.toHaveURL(/to=/);
  });

  test("a filter that matches nothing says so", async ({ page }) => {
    await page.goto("/audit?action=no.such.action");
    await expect(page.getByText("No events match these filters")).toBeVisible();
  });

  test("an auditor verifies the new events, then the whole chain, and sees who did it", async ({ page }) => {
    await page.goto("/audit");
    const chain = page.getByRole("status", { name: "Chain verification" });
    await expectChainTruthful(page);
    await chain.getByRole("button", { name: "Verify new events" }).click();
    const last = page.getByTestId("last-verification");
    await expect(last).toContainText(
      /Last incremental verification .* by auditor@handoff\.local: verified through event #\d+/,
    );
    await chain.getByRole("button", { name: "Full verification" }).click();
    await expect(last).toContainText(
      /Last full verification .* by auditor@handoff\.local: verified through event #\d+/,
    );
    // Recorded now: the status says verified, and nothing on the page says otherwise.
    await expect(chain).toContainText("Chain verified");
    await expectChainTruthful(page);
    // Both verifications are in the trail.
    await page.goto("/audit?action=audit.verified");
    await expect(page.getByRole("table", { name: "Audit events" }).locator("tbody code")).toHaveText([
      "audit.verified",
      "audit.verified",
    ]);
  });

  test("the export downloads the filtered events as CSV and as JSON Lines", async ({ page }) => {
    await page.goto("/audit?action=auth.login");
    await expectChainTruthful(page);
    const [csv] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Export CSV" }).click(),
    ]);
    expect(csv.suggestedFilename()).toMatch(/^audit-.*\.csv$/);
    const lines = (await readDownload(csv)).trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^seq,id,occurred_at,actor_id,actor_label,action,/);
    expect(lines.length).toBeGreaterThan(1);
    // The action filter is a prefix: after the sign-in specs the slice also holds auth.login_failed.
    expect(lines.slice(1).every((l) => /,auth\.login[a-z_.]*,/.test(l))).toBe(true);

    const [jsonl] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Export JSON Lines" }).click(),
    ]);
    expect(jsonl.suggestedFilename()).toMatch(/^audit-.*\.jsonl$/);
    const events = (await readDownload(jsonl))
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { action: string; hash: string; prev_hash: string });
    expect(events.every((e) => e.action.startsWith("auth.login") && e.hash.length === 64)).toBe(true);
  });
});

test.describe("audit trail, other roles", () => {
  test.use({ storageState: storageFor("officer") });

  test("an officer cannot export the trail", async ({ page }) => {
    const res = await page.request.get("/api/audit/export?format=csv");
    expect(res.status()).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("forbidden");
  });
});

async function readDownload(download: Download): Promise<string> {
  const stream = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
