import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext, type Browser, type Page } from "@playwright/test";
import { inboxItemOf, mirroredSession } from "./review-world";
import { storageFor } from "./users";

const SHOTS = "/tmp/shots";
const REASON = "Shared with the wrong brand: the customer asked us to stop.";

async function expectAxeClean(page: Page, what: string) {
  const { violations } = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  expect(
    violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    `axe violations on ${what}`,
  ).toEqual([]);
}

/** An approved Northwind Bank KYC session nobody shared yet, shared with Northwind Pay (internal). */
async function shareToPay(request: APIRequestContext) {
  const { app } = await mirroredSession(request, "Northwind Bank", "Approved");
  const list = (await (
    await request.get(`/api/sessions?applicationId=${app.id}&kind=user&status=Approved&limit=100`)
  ).json()) as { items: { sessionId: string; number: number | null }[] };
  let sessionId: string | undefined;
  for (const s of list.items) {
    if (s.number === null) continue;
    const shared = (await (await request.get(`/api/shares?sessionId=${s.sessionId}`)).json()) as {
      items: unknown[];
    };
    if (shared.items.length === 0) {
      sessionId = s.sessionId;
      break;
    }
  }
  expect(sessionId, "an approved session nobody shared yet").toBeTruthy();
  const eligible = (await (await request.get(`/api/partners?eligibleFor=${sessionId}`)).json()) as {
    items: { partner: { id: string; name: string }; eligible: boolean }[];
  };
  const pay = eligible.items.find((i) => i.partner.name === "Northwind Pay" && i.eligible);
  expect(pay, "Northwind Pay is eligible").toBeTruthy();
  const res = await request.post("/api/shares", {
    data: { sessionId, partnerId: pay!.partner.id, ttlSeconds: 900 },
  });
  expect(res.status(), await res.text()).toBe(201);
  const shareId = ((await res.json()) as { id: string }).id;
  return { shareId, itemId: await inboxItemOf(request, shareId) };
}

/** `share.withdrawn` events of the share, read by the auditor (the officer has no audit.read). */
async function withdrawnEvents(browser: Browser, shareId: string): Promise<number> {
  const auditor = await browser.newContext({ storageState: storageFor("auditor") });
  try {
    const res = await auditor.request.get(`/api/audit?action=share.withdrawn&entityId=${shareId}`);
    expect(res.status(), await res.text()).toBe(200);
    return ((await res.json()) as { items: unknown[] }).items.length;
  } finally {
    await auditor.close();
  }
}

/** Opens the Withdraw dialog, checks a reason is required, then double-clicks the confirmation. */
async function withdrawOnPage(page: Page) {
  await page.getByRole("button", { name: "Withdraw", exact: true }).click();
  const dialog = page.getByRole("alertdialog", { name: "Withdraw this share?" });
  await expect(dialog).toContainText("This cannot be undone.");
  const confirm = dialog.getByRole("button", { name: "Withdraw share" });
  await confirm.click();
  await expect(dialog.getByText("Give a reason")).toBeVisible();
  await dialog.getByLabel(/Reason/).fill(REASON);
  // A double-click: the button is disabled from the first click, one withdrawal is made.
  await confirm.dblclick();
  await expect(dialog).toBeHidden();
}

test.describe("withdrawing a delivered share, as the compliance officer", () => {
  test.use({ storageState: storageFor("officer") });
  test.setTimeout(180_000);

  test("a share to the sister brand not imported yet: Withdraw, Pay's inbox shows it withdrawn and why, no import", async ({
    page,
    browser,
  }) => {
    const { shareId, itemId } = await shareToPay(page.request);
    const item = (await (await page.request.get(`/api/inbox/${itemId}`)).json()) as { state: string };
    expect(item.state, "the token waits in Northwind Pay's inbox").toBe("pending");

    await page.goto(`/shares/${shareId}`);
    // The page loads its client view after the first paint (slow on a loaded machine).
    await expect(page.getByText("Delivered straight into Northwind Pay's inbox")).toBeVisible({
      timeout: 60_000,
    });
    await expect(page.getByRole("button", { name: "Revoke" })).toHaveCount(0);
    await withdrawOnPage(page);

    const withdrawal = page.getByRole("status", { name: "Withdrawal" });
    await expect(withdrawal).toContainText("Withdrawn");
    await expect(withdrawal).toContainText(`Reason: ${REASON}`);
    await expect(withdrawal).toContainText(
      "withdrawn from Northwind Pay's inbox in this console before it was imported",
    );
    await expect(page.getByRole("button", { name: "Withdraw", exact: true })).toHaveCount(0);
    // No recall was needed: the token never left this console.
    await expect(page.getByRole("region", { name: "Recall" })).toHaveCount(0);
    expect(await withdrawnEvents(browser, shareId)).toBe(1);
    // The list says so too, not only the share's page.
    await page.goto("/shares");
    const listed = page.getByRole("row").filter({ has: page.locator(`a[href="/shares/${shareId}"]`) });
    await expect(listed).toContainText("Withdrawn", { timeout: 60_000 });
    await expectAxeClean(page, "a withdrawn share");
    await page.screenshot({ path: `${SHOTS}/withdraw-share-inbox.png`, fullPage: true });

    // The receiving side: the inbox item is withdrawn, with the reason, by whom and when; no Import.
    await page.goto(`/inbox?q=${shareId}`);
    const card = page.getByRole("article").filter({ hasText: "Withdrawn by the sender" });
    await expect(card).toHaveCount(1, { timeout: 60_000 });
    await expect(card).toContainText(REASON);
    await expect(card).toContainText("It can no longer be imported.");
    await expect(card.getByRole("button", { name: "Import" })).toHaveCount(0);
    await expectAxeClean(page, "the inbox with a withdrawn token");
    await page.screenshot({ path: `${SHOTS}/withdraw-inbox.png`, fullPage: true });

    // The import is refused over the API too, with its own code.
    const refused = await page.request.post(`/api/inbox/${itemId}/import`, { data: {} });
    expect(refused.status()).toBe(409);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("share_withdrawn");

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`/shares/${shareId}`);
    await expect(page.getByRole("status", { name: "Withdrawal" })).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/withdraw-share-390.png`, fullPage: true });
  });

  test("a share Pay already imported: Withdraw raises the recall, the clone goes back to review", async ({
    page,
    browser,
  }) => {
    const { shareId, itemId } = await shareToPay(page.request);
    const imported = await page.request.post(`/api/inbox/${itemId}/import`, { data: { trustReview: false } });
    expect(imported.status(), await imported.text()).toBe(201);
    const importId = ((await imported.json()) as { id: string }).id;

    await page.goto(`/shares/${shareId}`);
    await expect(page.getByRole("button", { name: "Withdraw", exact: true })).toBeVisible({
      timeout: 60_000,
    });
    await withdrawOnPage(page);
    const withdrawal = page.getByRole("status", { name: "Withdrawal" });
    await expect(withdrawal).toContainText("A recall (withdrawn) was raised with the reason.");
    await expect(withdrawal).toContainText("Northwind Pay had imported it: its clone went back to review.");
    const banner = page.getByRole("region", { name: "Recall" });
    await expect(banner).toContainText("Recalled: Withdrawn");
    await expect(banner).toContainText(REASON);
    await expect(banner).toContainText("The partner is told (internal): sent.");
    expect(await withdrawnEvents(browser, shareId)).toBe(1);
    await page.screenshot({ path: `${SHOTS}/withdraw-share-recall.png`, fullPage: true });

    // The share's JSON carries the recall as the page shows it.
    const dto = (await (await page.request.get(`/api/shares/${shareId}`)).json()) as {
      recall: { trigger: string; reason: string; notice: { state: string } | null } | null;
    };
    expect(dto.recall).toMatchObject({ trigger: "withdrawn", reason: REASON, notice: { state: "sent" } });

    await page.goto(`/reviews/${importId}`);
    const recallBanner = page.getByRole("region", { name: "Recall" });
    await expect(recallBanner).toContainText("Withdrawn", { timeout: 60_000 });
    await expect(recallBanner).toContainText(REASON);
  });
});

test.describe("withdrawing, as the auditor", () => {
  test.setTimeout(120_000);

  test("reads a delivered share but is offered no Withdraw, and the route answers 403", async ({
    browser,
  }) => {
    const officer = await browser.newContext({ storageState: storageFor("officer") });
    const { shareId } = await shareToPay((await officer.newPage()).request);
    await officer.close();
    const auditor = await browser.newContext({ storageState: storageFor("auditor") });
    const page = await auditor.newPage();
    await page.goto(`/shares/${shareId}`);
    // The page loads its client view after the first paint (slow on a loaded machine).
    await expect(page.getByText("Delivered straight into Northwind Pay's inbox")).toBeVisible({
      timeout: 60_000,
    });
    await expect(page.getByRole("button", { name: "Withdraw", exact: true })).toHaveCount(0);
    const res = await page.request.post(`/api/shares/${shareId}/withdraw`, { data: { reason: "not mine" } });
    expect(res.status()).toBe(403);
    await auditor.close();
  });
});
