import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { importInReview, inboxItemOf, secondOfficer, setFourEyes, shareBankToPay } from "./review-world";
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

test.describe("receiving and review in one console, as the compliance officer", () => {
  test.use({ storageState: storageFor("officer") });
  test.setTimeout(180_000);

  test("Northwind Bank shares to Northwind Pay; Pay imports it for review, reviews it side by side, approves it; Didit confirms; the Bank's share shows the receipt", async ({
    page,
  }) => {
    // 1. Northwind Bank shares a finished KYC session with Northwind Pay (internal channel).
    const { shareId, session } = await shareBankToPay(page.request);
    const itemId = await inboxItemOf(page.request, shareId);

    // 2. The token waits in the inbox: Import it with trust review off.
    await page.goto(`/inbox?q=${shareId}`);
    const card = page.getByRole("region", { name: "Received tokens" }).getByRole("article");
    await expect(card).toHaveCount(1);
    await card.getByRole("button", { name: "Import", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Import this token?" });
    await expect(dialog).toBeVisible();
    const trust = dialog.getByRole("checkbox", { name: /Keep the partner's decision/ });
    await trust.uncheck();
    await expect(dialog).toContainText("The clone lands In Review");
    await dialog.getByRole("button", { name: "Next: confirm" }).click();
    await expect(dialog).toContainText("Didit redeems the token once");
    await dialog.getByRole("button", { name: "Confirm import" }).click();
    await expect(dialog).toBeHidden({ timeout: 30_000 });

    // 3. The card shows the import with its clone; the toast links to the review.
    await expect(card.getByRole("group", { name: "Import" })).toContainText("Imported");
    await expect(card.getByRole("group", { name: "Import" })).toContainText("In Review when imported");
    await expect(card.getByRole("button", { name: "Import", exact: true })).toHaveCount(0);
    await page.getByRole("button", { name: "Open the review" }).click();
    await expect(page).toHaveURL(/\/reviews\/[0-9a-f-]{36}$/);
    const importId = new URL(page.url()).pathname.split("/").pop()!;
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(/^Review of session #\d+ — \S.*$/);

    // 4. Side by side: the clone at Didit now, its lineage, the sister brand's source now.
    const summary = page.getByRole("region", { name: "Review summary" });
    await expect(summary).toContainText("In Review");
    await expect(summary).toContainText("Northwind Bank");
    const clone = page.getByRole("region", { name: "The clone at Didit now" });
    await expect(clone.getByRole("heading", { name: /^ID verifications/ })).toBeVisible();
    await expect(clone.getByRole("button", { name: /Front image: open larger/ }).first()).toBeVisible();
    const lineage = page.getByRole("region", { name: "Lineage" });
    await expect(lineage).toContainText(session.sessionId);
    await expect(lineage).toContainText("No: the clone landed In Review for us");
    await expect(lineage).toContainText("Internal");
    const source = page.getByRole("region", { name: "Source now (sister brand Northwind Bank)" });
    await expect(source).toContainText("Status at the source now");
    await expect(source).toContainText("Approved");
    // In Review only because trust review was off: said so, not flagged as a change at the source.
    await expect(source).toContainText("In review here because trust review was off");
    await expect(source).toContainText("In Review on the clone because trust review was off for this import");
    await expect(source).not.toContainText("Status changed");
    await expect(page.getByRole("list", { name: "Timeline" })).toContainText(/import/i);

    // The image opens larger, and Escape closes it.
    await clone
      .getByRole("button", { name: /Front image: open larger/ })
      .first()
      .click();
    const image = page.getByRole("dialog", { name: "Front image" });
    await expect(image.getByRole("img", { name: "Front image" })).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(image).toBeHidden();
    // Images below the fold load as they scroll in, through the media route.
    const reference = clone.getByRole("button", { name: /Reference image: open larger/ }).locator("img");
    await reference.scrollIntoViewIfNeeded();
    await expect
      .poll(() => reference.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0)))
      .toBeGreaterThan(0);

    // The queue lists it, awaiting review.
    await page.goto("/reviews");
    const queue = page.getByRole("table", { name: "Review queue" });
    const row = queue.getByRole("row").filter({ has: page.locator(`a[href="/reviews/${importId}"]`) });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText("Northwind Bank");
    await expect(row).toContainText("KYC");
    await expect(row).toContainText("In Review");
    await page.screenshot({ path: `${SHOTS}/reviews.png`, fullPage: true });
    await page.setViewportSize({ width: 420, height: 900 });
    await page.screenshot({ path: `${SHOTS}/reviews-narrow.png`, fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await row.getByRole("button", { name: /^Assign to me/ }).click();
    await expect(row).toContainText("Olu Officer");
    await expect(row.getByRole("button", { name: /^Assign to me/ })).toHaveCount(0);

    // 5. Decide: Decline needs a comment (inline), Approve asks for a confirmation.
    await page.goto(`/reviews/${importId}`);
    await page.setViewportSize({ width: 1280, height: 900 });
    const decide = page.getByRole("form", { name: "Decide" });
    await decide.getByRole("button", { name: "Decline" }).click();
    await expect(decide.getByText("Say why you decline: a comment is required")).toBeVisible();
    await expect(decide.getByLabel("Comment")).toBeFocused();
    await expect(page.getByRole("alertdialog")).toHaveCount(0);
    await page.screenshot({ path: `${SHOTS}/review.png`, fullPage: true });
    await page.setViewportSize({ width: 420, height: 900 });
    await page.screenshot({ path: `${SHOTS}/review-narrow.png` });
    await page.setViewportSize({ width: 1280, height: 900 });

    await decide
      .getByLabel("Comment")
      .fill("Documents and liveness checked against the source; all consistent.");
    await decide.getByRole("button", { name: "Approve" }).click();
    const confirm = page.getByRole("alertdialog", { name: "Approve this session?" });
    await expect(confirm).toContainText("This sends Approved to Didit for session");
    await expect(confirm).toContainText("it cannot be undone here");
    await confirm.getByRole("button", { name: "Send Approved to Didit" }).click();
    await expect(confirm).toBeHidden();

    // 6. Didit's webhook confirms: the status shows Approved.
    await expect(summary).toContainText("Approved", { timeout: 90_000 });
    await expect(page.getByText("Sent to Didit — waiting for Didit's confirmation")).toHaveCount(0, {
      timeout: 30_000,
    });
    await expect(page.getByRole("form", { name: "Decide" })).toHaveCount(0);
    await expect(page.getByRole("region", { name: "Decision" })).toContainText(
      "Approved by Olu Officer: “Documents and liveness checked against the source; all consistent.”",
    );
    await expect(page.getByRole("region", { name: "Decision" })).toContainText("confirmed by Didit");
    await page.screenshot({ path: `${SHOTS}/review-approved.png`, fullPage: true });

    // 7. The queue no longer lists it.
    await page.goto(`/reviews`);
    await expect(
      page.getByRole("table", { name: "Review queue" }).or(page.getByText("Nothing to review")),
    ).toBeVisible();
    await expect(page.locator(`a[href="/reviews/${importId}"]`)).toHaveCount(0);

    // 8. Northwind Bank's share shows the receipt with the clone's id.
    const detail = (await (await page.request.get(`/api/imports/${importId}`)).json()) as {
      cloneSessionId: string;
    };
    await page.goto(`/shares/${shareId}`);
    await expect(page.getByRole("table", { name: "Receipts" })).toContainText(detail.cloneSessionId);
    await expect(page.getByRole("table", { name: "Receipts" })).toContainText("Imported");

    // 9. The inbox item shows it imported (with a link to its review) and its details; a second import is refused.
    await page.goto(`/inbox?q=${shareId}`);
    await expect(card.getByRole("link", { name: "Open the review" })).toHaveAttribute(
      "href",
      `/reviews/${importId}`,
    );
    await card.getByRole("button", { name: "Details and receipts" }).click();
    await expect(card).toContainText("written straight on its share");
    const again = await page.request.post(`/api/inbox/${itemId}/import`, { data: {} });
    expect(again.status()).toBe(409);
  });

  test("an import that another import beat is refused in the dialog, with a link to the import that holds the token", async ({
    page,
  }) => {
    const { shareId } = await shareBankToPay(page.request);
    const itemId = await inboxItemOf(page.request, shareId);
    await page.goto(`/inbox?q=${shareId}`);
    await page.getByRole("button", { name: "Import", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Import this token?" });
    await dialog.getByRole("button", { name: "Next: confirm" }).click();
    // Meanwhile the token is imported another way (a colleague, the partner's auto policy).
    const first = await page.request.post(`/api/inbox/${itemId}/import`, { data: { trustReview: false } });
    expect(first.status()).toBe(201);
    const { id } = (await first.json()) as { id: string };
    await dialog.getByRole("button", { name: "Confirm import" }).click();
    const refusal = dialog.getByRole("alert").filter({ hasText: "This token is already imported" });
    await expect(refusal).toBeVisible();
    await expect(refusal.getByRole("link", { name: "Open the existing import" })).toHaveAttribute(
      "href",
      `/reviews/${id}`,
    );
    await expect(dialog.getByRole("button", { name: "Confirm import" })).toBeDisabled();
  });

  test("a filter that matches nothing says so and clears back to the queue", async ({ page }) => {
    await page.goto("/reviews?q=no-such-vendor-data-anywhere");
    await expect(page.getByText("No reviews match these filters")).toBeVisible();
    await expect(page.getByRole("search", { name: "Review filters" }).getByLabel("Search")).toHaveValue(
      "no-such-vendor-data-anywhere",
    );
    await page.getByRole("button", { name: "Clear filters" }).click();
    await expect(page).not.toHaveURL(/q=/);
    await expect(
      page.getByRole("table", { name: "Review queue" }).or(page.getByText("Nothing to review")),
    ).toBeVisible();
  });
});

test.describe("four eyes, as the compliance officer", () => {
  test.use({ storageState: storageFor("officer") });

  test("under four eyes the officer's approval is a proposal that waits for a second officer, and its proposer can withdraw it", async ({
    page,
    browser,
  }) => {
    const { importId } = await importInReview(page.request);
    const item = (await (await page.request.get(`/api/imports/${importId}`)).json()) as { partnerId: string };
    const manager = await browser.newContext({ storageState: storageFor("partnerships") });
    const patch = (requireFourEyes: boolean) =>
      manager.request.patch(`/api/partners/${item.partnerId}`, { data: { requireFourEyes } });
    expect((await patch(true)).status()).toBe(200);
    try {
      await page.goto(`/reviews/${importId}`);
      const decision = page.getByRole("region", { name: "Decision" });
      await expect(decision).toContainText("This partner requires four eyes");
      const decide = page.getByRole("form", { name: "Decide" });
      await decide.getByLabel("Comment").fill("Looks consistent with the source.");
      await decide.getByRole("button", { name: "Approve" }).click();
      const confirm = page.getByRole("alertdialog", { name: "Approve this session?" });
      await expect(confirm).toContainText("a second officer must confirm it before it goes to Didit");
      await confirm.getByRole("button", { name: "Propose Approved" }).click();
      await expect(confirm).toBeHidden();

      const proposal = page.getByRole("group", { name: "Open proposal" });
      await expect(proposal).toContainText("Olu Officer proposed Approved");
      await expect(proposal).toContainText("Looks consistent with the source.");
      await expect(proposal).toContainText("Waiting for a second officer");
      await expect(proposal.getByRole("button", { name: /^Confirm/ })).toHaveCount(0);
      await expect(page.getByRole("region", { name: "Review summary" })).toContainText(
        "Awaiting second approval",
      );
      // The proposer cannot confirm their own proposal (the server says so too).
      const own = await page.request.post(`/api/imports/${importId}/decision`, {
        data: { status: "Approved" },
      });
      expect(own.status()).toBe(403);

      // The queue puts it first, marked.
      await page.goto("/reviews");
      const first = page.getByRole("table", { name: "Review queue" }).getByRole("row").nth(1);
      await expect(first).toContainText("Awaiting second approval");
      await expect(first.locator(`a[href="/reviews/${importId}"]`)).toHaveCount(1);

      await page.goto(`/reviews/${importId}`);
      await proposal.getByRole("button", { name: "Withdraw" }).click();
      const withdraw = page.getByRole("alertdialog", { name: "Withdraw your proposal?" });
      await withdraw.getByRole("button", { name: "Withdraw proposal" }).click();
      await expect(withdraw).toBeHidden();
      await expect(proposal).toHaveCount(0);
      await expect(page.getByRole("form", { name: "Decide" })).toBeVisible();
      await expect(page.getByRole("region", { name: "Timeline" })).toContainText(/withdr/i);
    } finally {
      expect((await patch(false)).status()).toBe(200);
      await manager.close();
    }
  });
});

test.describe("the review page, read-only", () => {
  test.use({ storageState: storageFor("auditor") });

  test("an auditor sees the clone and its lineage without any decision or assignment", async ({
    page,
    browser,
  }) => {
    const officer = await browser.newContext({ storageState: storageFor("officer") });
    const { importId } = await importInReview(officer.request);
    await officer.close();

    await page.goto(`/reviews/${importId}`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(/^Review of session #\d+ — \S.*$/);
    await expect(page.getByRole("region", { name: "The clone at Didit now" })).toBeVisible();
    await expect(page.getByRole("region", { name: "Lineage" })).toBeVisible();
    await expect(
      page.getByRole("button", { name: /Approve|Decline|Assign to me|Confirm|Reject proposal/ }),
    ).toHaveCount(0);
    await expect(page.getByRole("form", { name: "Decide" })).toHaveCount(0);
    // The API refuses the auditor's decision too.
    const res = await page.request.post(`/api/imports/${importId}/decision`, {
      data: { status: "Approved" },
    });
    expect(res.status()).toBe(403);

    await page.goto("/reviews");
    await expect(page.getByRole("table", { name: "Review queue" })).toBeVisible();
    await expect(page.getByRole("button", { name: /^Assign to me/ })).toHaveCount(0);
  });

  test("a KYB clone shows its registry, key people with their own KYC, and its documents", async ({
    page,
    browser,
  }) => {
    const officer = await browser.newContext({ storageState: storageFor("officer") });
    const { importId } = await importInReview(officer.request, "business");
    await officer.close();

    await page.goto(`/reviews/${importId}`);
    const clone = page.getByRole("region", { name: "The clone at Didit now" });
    await expect(clone.getByRole("heading", { name: /^Registry checks/ })).toBeVisible();
    const people = clone.getByRole("region", { name: /^Key people checks/ });
    await expect(people).toBeVisible();
    await expect(people.getByText("KYC", { exact: true }).first()).toBeVisible();
    await expect(clone.getByRole("heading", { name: /^Document verifications/ })).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/review-kyb.png`, fullPage: true });
  });

  test("an unknown review is the not-found page", async ({ page }) => {
    const response = await page.goto("/reviews/00000000-0000-4000-8000-000000000000");
    expect(response?.status()).toBe(404);
  });
});

test.describe("a long review keeps the decision within reach", () => {
  test.use({ storageState: storageFor("officer") });
  test.setTimeout(300_000);

  test("scrolled to the bottom of a full KYC clone, Approve, Decline and the comment are in the viewport; the documented shortcuts open the confirmation, never while typing", async ({
    page,
  }) => {
    const { importId } = await importInReview(page.request);
    await page.goto(`/reviews/${importId}`);
    const clone = page.getByRole("region", { name: "The clone at Didit now" });
    await expect(clone.getByRole("heading", { name: /^ID verifications/ })).toBeVisible({ timeout: 90_000 });
    const decision = page.getByRole("region", { name: "Decision" });
    // The shortcuts are documented on the page.
    const help = decision.getByLabel("Keyboard shortcuts");
    await expect(help).toContainText("A approve · D decline · C write the comment");
    await expect(help).toContainText("each asks for confirmation first");
    const bar = page.getByRole("region", { name: "Decision bar" });
    await expect(bar).toHaveCount(0);

    // Scroll to the bottom of the long page: the decision bar holds the buttons and the comment.
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    expect(height).toBeGreaterThan(2500);
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await expect(bar).toBeVisible();
    await expect(bar.getByRole("button", { name: "Approve" })).toBeInViewport();
    await expect(bar.getByRole("button", { name: "Decline" })).toBeInViewport();
    await expect(bar.getByLabel("Decision comment")).toBeInViewport();
    await page.screenshot({ path: `${SHOTS}/review-decision-bar.png` });

    // The bar's comment is the panel's: Decline from the bar confirms with it.
    await bar.getByLabel("Decision comment").fill("The document number differs from the source.");
    // Typing a and d in the comment box does not decide.
    await bar.getByLabel("Decision comment").press("a");
    await bar.getByLabel("Decision comment").press("d");
    await expect(page.getByRole("alertdialog")).toHaveCount(0);
    await expect(bar.getByLabel("Decision comment")).toHaveValue(
      "The document number differs from the source.ad",
    );
    await bar.getByRole("button", { name: "Decline" }).click();
    const decline = page.getByRole("alertdialog", { name: "Decline this session?" });
    await expect(decline).toContainText("“The document number differs from the source.ad”");
    await decline.getByRole("button", { name: "Cancel" }).click();
    await expect(decline).toBeHidden();

    // Out of the comment box, A opens the confirmation (nothing is sent without it).
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press("a");
    const approve = page.getByRole("alertdialog", { name: "Approve this session?" });
    await expect(approve).toBeVisible();
    // A second A inside the dialog does not stack another one or send anything.
    await page.keyboard.press("a");
    await expect(page.getByRole("alertdialog")).toHaveCount(1);
    await approve.getByRole("button", { name: "Cancel" }).click();
    await expect(approve).toBeHidden();
    // With a modifier held it is the browser's shortcut, not ours.
    await page.keyboard.press("Control+d");
    await expect(page.getByRole("alertdialog")).toHaveCount(0);
    // C jumps to the comment box.
    await page.keyboard.press("c");
    await expect(page.getByRole("form", { name: "Decide" }).getByLabel("Comment")).toBeFocused();
    const still = (await (await page.request.get(`/api/imports/${importId}`)).json()) as { status: string };
    expect(still.status).toBe("In Review");
    await expectAxeClean(page, "the review page with its decision bar");

    // On a phone (390 px), the same at the bottom of the page.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await expect(bar.getByRole("button", { name: "Approve" })).toBeInViewport();
    await expect(bar.getByRole("button", { name: "Decline" })).toBeInViewport();
    await expect(bar.getByLabel("Decision comment")).toBeInViewport();
    await page.screenshot({ path: `${SHOTS}/review-decision-bar-390.png` });
  });
});

test.describe("four eyes with two officers, and reassigning", () => {
  test.use({ storageState: storageFor("officer") });
  test.setTimeout(180_000);

  test("the second officer sees the proposal with who, when and why, and confirms it: sent to Didit, Approved when the webhook comes", async ({
    page,
    browser,
  }) => {
    const { importId, cloneSessionId } = await importInReview(page.request);
    const { partnerId } = (await (await page.request.get(`/api/imports/${importId}`)).json()) as {
      partnerId: string;
    };
    const second = await secondOfficer(browser, "Ines Second");
    await setFourEyes(browser, partnerId, true);
    try {
      // Officer 1 proposes Approved.
      await page.goto(`/reviews/${importId}`);
      const decide = page.getByRole("form", { name: "Decide" });
      await decide.getByLabel("Comment").fill("Selfie and document match the source.");
      await decide.getByRole("button", { name: "Approve" }).click();
      await page
        .getByRole("alertdialog", { name: "Approve this session?" })
        .getByRole("button", { name: "Propose Approved" })
        .click();
      const mine = page.getByRole("group", { name: "Open proposal" });
      await expect(mine).toContainText("Waiting for a second officer");

      // Officer 2, in another browser, sees who proposed what, when and why.
      const other = second.page;
      await other.goto(`/reviews/${importId}`);
      const proposal = other.getByRole("group", { name: "Open proposal" });
      await expect(proposal).toContainText("Olu Officer proposed Approved");
      await expect(proposal).toContainText("“Selfie and document match the source.”");
      await expect(proposal.locator("time")).toHaveAttribute("datetime", /^\d{4}-\d\d-\d\dT/);
      await expect(proposal).not.toContainText("Waiting for a second officer");
      await proposal.getByRole("button", { name: "Confirm Approved" }).click();
      const confirm = other.getByRole("alertdialog", { name: "Confirm Approved?" });
      await expect(confirm).toContainText(`This sends Approved to Didit for session ${cloneSessionId}`);
      // The second officer's own comment (optional), beside the proposer's.
      await expect(confirm).toContainText("Olu Officer: “Selfie and document match the source.”");
      await confirm.getByLabel("Your comment (optional)").fill("Also checked the address proof.");
      await confirm.getByRole("button", { name: "Send Approved to Didit" }).click();
      await expect(confirm).toBeHidden();

      // Didit's webhook confirms: Approved, by the second officer on the first's proposal.
      const summary = other.getByRole("region", { name: "Review summary" });
      await expect(summary.getByText("Approved", { exact: true })).toBeVisible({ timeout: 90_000 });
      const decision = other.getByRole("region", { name: "Decision" });
      await expect(decision).toContainText("Approved by Ines Second (proposed by Olu Officer)", {
        timeout: 30_000,
      });
      await expect(decision).toContainText("confirmed by Didit");
      // Both comments on the timeline, in sentences with the officers by name (email on hover).
      const timeline = other.getByRole("list", { name: "Timeline" });
      await expect(timeline).toContainText(
        "Olu Officer proposed Approved: “Selfie and document match the source.”",
      );
      await expect(timeline).toContainText(
        "Ines Second confirmed Approved (proposed by Olu Officer), sent to Didit: “Also checked the address proof.”",
      );
      await expect(timeline.getByText("Ines Second", { exact: true }).first()).toHaveAttribute(
        "title",
        second.email,
      );
      await expect(timeline.getByText("Olu Officer", { exact: true }).first()).toHaveAttribute(
        "title",
        "officer@handoff.local",
      );
      await expect(timeline).not.toContainText("@handoff.local");
      const decided = (await (await other.request.get(`/api/imports/${importId}`)).json()) as {
        decisions: { state: string; comment: string; secondComment: string | null }[];
      };
      expect(decided.decisions.at(-1)).toMatchObject({
        comment: "Selfie and document match the source.",
        secondComment: "Also checked the address proof.",
      });
      // The first officer's page follows.
      await page.reload();
      await expect(page.getByRole("region", { name: "Decision" })).toContainText(
        "Approved by Ines Second (proposed by Olu Officer)",
        { timeout: 30_000 },
      );
      const detail = (await (await page.request.get(`/api/imports/${importId}`)).json()) as {
        status: string;
        cloneSessionId: string;
      };
      expect(detail).toMatchObject({ status: "Approved", cloneSessionId });
    } finally {
      await setFourEyes(browser, partnerId, false);
      await second.context.close();
    }
  });

  test("the second officer rejects the proposal with a comment: the timeline shows it rejected and the clone stays In Review", async ({
    page,
    browser,
  }) => {
    const { importId } = await importInReview(page.request);
    const { partnerId } = (await (await page.request.get(`/api/imports/${importId}`)).json()) as {
      partnerId: string;
    };
    const second = await secondOfficer(browser, "Rui Second");
    await setFourEyes(browser, partnerId, true);
    try {
      await page.goto(`/reviews/${importId}`);
      const decide = page.getByRole("form", { name: "Decide" });
      await decide.getByLabel("Comment").fill("Fine by me.");
      await decide.getByRole("button", { name: "Approve" }).click();
      await page
        .getByRole("alertdialog", { name: "Approve this session?" })
        .getByRole("button", { name: "Propose Approved" })
        .click();
      await expect(page.getByRole("group", { name: "Open proposal" })).toContainText(
        "Waiting for a second officer",
      );

      const other = second.page;
      await other.goto(`/reviews/${importId}`);
      const proposal = other.getByRole("group", { name: "Open proposal" });
      await expect(proposal).toContainText("Olu Officer proposed Approved");
      await proposal.getByRole("button", { name: "Reject proposal" }).click();
      const reject = other.getByRole("alertdialog", { name: "Reject the proposal?" });
      // A comment is required.
      await reject.getByRole("button", { name: "Reject proposal" }).click();
      await expect(reject.getByText("Say why: a comment is required")).toBeVisible();
      await reject.getByLabel("Comment").fill("The proof of address is older than three months.");
      await reject.getByRole("button", { name: "Reject proposal" }).click();
      await expect(reject).toBeHidden();
      await expect(proposal).toHaveCount(0);
      const timeline = other.getByRole("list", { name: "Timeline" });
      await expect(timeline).toContainText(
        "Rui Second rejected the proposal of Approved: “The proof of address is older than three months.”",
      );
      await expect(timeline.getByRole("listitem").last()).toContainText("Rui Second");
      // Nothing went to Didit: the clone stays In Review and can be decided again.
      const summary = other.getByRole("region", { name: "Review summary" });
      await expect(summary).toContainText("In Review");
      await expect(summary).not.toContainText("Awaiting second approval");
      await expect(other.getByRole("form", { name: "Decide" })).toBeVisible();
      await page.reload();
      await expect(page.getByRole("group", { name: "Open proposal" })).toHaveCount(0);
      await expect(page.getByRole("list", { name: "Timeline" })).toContainText("rejected the proposal");
      const detail = (await (await page.request.get(`/api/imports/${importId}`)).json()) as {
        status: string;
        pendingProposal: unknown;
        decisions: { state: string; secondComment: string | null }[];
      };
      expect(detail.status).toBe("In Review");
      expect(detail.pendingProposal).toBeNull();
      expect(detail.decisions.map((d) => [d.state, d.secondComment])).toEqual([
        ["rejected", "The proof of address is older than three months."],
      ]);
    } finally {
      await setFourEyes(browser, partnerId, false);
      await second.context.close();
    }
  });

  test("officer 1 reassigns a review to officer 2, who sees it as theirs (assignee=me); the picker marks the current assignee", async ({
    page,
    browser,
  }) => {
    const { importId } = await importInReview(page.request);
    const second = await secondOfficer(browser, "Tove Second");
    try {
      // The reviewers list is its own route (not the detail route with id "reviewers").
      const reviewers = await page.request.get("/api/imports/reviewers");
      expect(reviewers.status()).toBe(200);
      const list = (await reviewers.json()) as { items: { id: string; name: string; email: string }[] };
      expect(list.items.find((u) => u.id === second.id)).toEqual({
        id: second.id,
        name: "Tove Second",
        email: second.email,
      });
      expect((await page.request.get(`/api/imports/${importId}`)).status()).toBe(200);

      await page.goto(`/reviews/${importId}`);
      const summary = page.getByRole("region", { name: "Review summary" });
      await summary.getByRole("button", { name: "Assign to me" }).click();
      await expect(summary).toContainText("Olu Officer (you)");

      await summary.getByRole("button", { name: "Reassign…" }).click();
      const dialog = page.getByRole("dialog", { name: /^Reassign session #\d+$/ });
      await expect(dialog).toContainText("Assigned to Olu Officer now.");
      const officers = dialog.getByRole("listbox", { name: "Compliance officers" });
      await expect(
        officers.getByRole("option", { name: /Olu Officer \(you\) — current assignee/ }),
      ).toBeVisible();
      await expect(dialog.getByRole("button", { name: "Reassign", exact: true })).toBeDisabled();
      await expectAxeClean(page, "the Reassign dialog");
      // Keyboard: search, then pick with Enter.
      await dialog.getByRole("combobox", { name: "Search officers" }).fill("Tove");
      await expect(officers.getByRole("option")).toHaveCount(1);
      await page.keyboard.press("Enter");
      await dialog.getByRole("button", { name: "Reassign to Tove Second" }).click();
      await expect(dialog).toBeHidden();
      await expect(page.getByText(/is assigned to Tove Second\./)).toBeVisible();
      await expect(summary).toContainText("Tove Second");
      await expect(page.getByRole("list", { name: "Timeline" })).toContainText(
        "Olu Officer assigned the review to Tove Second",
      );

      // Officer 2's queue, filtered to their own reviews, lists it; the review says it is theirs.
      const other = second.page;
      await other.goto("/reviews?assignee=me");
      const row = other
        .getByRole("table", { name: "Review queue" })
        .getByRole("row")
        .filter({ has: other.locator(`a[href="/reviews/${importId}"]`) });
      await expect(row).toHaveCount(1);
      await expect(row).toContainText("Tove Second");
      await expect(row.getByRole("button", { name: /^Reassign… \(session #\d+\)$/ })).toBeVisible();
      await expectAxeClean(other, "/reviews?assignee=me with a Reassign button");
      await other.goto(`/reviews/${importId}`);
      await expect(other.getByRole("region", { name: "Review summary" })).toContainText("Tove Second (you)");
      // Officer 1's own list no longer has it.
      await page.goto("/reviews?assignee=me");
      await expect(
        page
          .getByRole("table", { name: "Review queue" })
          .or(page.getByText("No reviews match these filters")),
      ).toBeVisible();
      await expect(page.locator(`a[href="/reviews/${importId}"]`)).toHaveCount(0);
    } finally {
      await second.context.close();
    }
  });
});
