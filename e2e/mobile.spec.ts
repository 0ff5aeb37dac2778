import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { LoginPage } from "./pages/login-page";
import { mirroredSession } from "./review-world";
import { ROLE_USERS, storageFor, type E2ERole } from "./users";

// Run by the `mobile` project (390×844, playwright.config.ts): the console on a phone.

/** The page is no wider than the screen (tables scroll inside their cards), and axe finds nothing. */
async function expectFitsAndAxeClean(page: Page, what: string) {
  await expectNoPageOverflow(page, what);
  // Let running transitions finish first (a toast fading in is checked at part opacity).
  await page.evaluate(() =>
    Promise.race([
      Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))),
      new Promise((resolve) => setTimeout(resolve, 2000)),
    ]),
  );
  const { violations } = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  expect(
    violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
    `axe violations on ${what}`,
  ).toEqual([]);
}

async function expectNoPageOverflow(page: Page, what: string) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(
    scrollWidth,
    `${what}: the page is ${scrollWidth}px wide on a ${innerWidth}px screen`,
  ).toBeLessThanOrEqual(innerWidth);
}

/** A dialog or drawer lies within the screen and its content is not cut off at the side. */
async function expectFitsOnScreen(dialog: Locator, what: string) {
  const box = await dialog.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { left: r.left, right: r.right, scrollWidth: el.scrollWidth, clientWidth: el.clientWidth };
  });
  const width = dialog.page().viewportSize()!.width;
  expect(box.left, `${what} starts on screen`).toBeGreaterThanOrEqual(0);
  expect(box.right, `${what} ends on screen`).toBeLessThanOrEqual(width);
  expect(box.scrollWidth, `${what} has nothing cut off at its side`).toBeLessThanOrEqual(box.clientWidth);
}

async function openMenu(page: Page) {
  // The sidebar is hidden on a phone; its navigation is in the menu sheet.
  await expect(page.getByRole("navigation", { name: "Main", exact: true })).toBeHidden();
  await page.getByRole("button", { name: "Menu" }).click();
  const sheet = page.getByRole("dialog", { name: "Menu" });
  await expect(sheet).toBeVisible();
  return sheet;
}

test.describe("the demo path on a phone, as the compliance officer", () => {
  test.use({ storageState: storageFor("officer") });
  test.setTimeout(180_000);

  test("sessions → share through the wizard → shares → inbox → import → reviews → the review: each fits the screen, axe-clean", async ({
    page,
  }) => {
    const { app, session } = await mirroredSession(page.request, "Northwind Bank", "Approved");

    // Sessions, reached from the menu sheet.
    await page.goto("/");
    const menu = await openMenu(page);
    await menu.getByRole("link", { name: "Sessions" }).click();
    await expect(menu).toBeHidden();
    await expect(page).toHaveURL(/\/sessions/);
    await expect(page.getByRole("table", { name: "Sessions" })).toBeVisible({ timeout: 60_000 });
    await expectFitsAndAxeClean(page, "/sessions");

    await page.goto(`/sessions?applicationId=${app.id}&kind=user&q=${session.sessionId}`);
    await page
      .getByRole("table", { name: "Sessions" })
      .getByRole("button", { name: new RegExp(`^Open session #${session.number}:`) })
      .click();
    const drawer = page.getByRole("dialog", { name: new RegExp(`#${session.number}`) });
    await expect(drawer).toBeVisible();
    await expectFitsOnScreen(drawer, "the session drawer");
    await expectFitsAndAxeClean(page, "the session drawer");

    // The wizard, step by step.
    await drawer.getByRole("button", { name: "Share with a partner" }).click();
    const wizard = page.getByRole("dialog", { name: `Share session #${session.number}` });
    await expect(wizard.getByRole("heading", { name: "Choose the partner" })).toBeVisible();
    await expectFitsOnScreen(wizard, "the wizard's partner step");
    await wizard.getByRole("radio", { name: /Northwind Pay/ }).check();
    await wizard.getByRole("button", { name: "Next: lifetime" }).click();
    await expect(wizard.getByRole("heading", { name: /Choose how long Northwind Pay/ })).toBeVisible();
    await expectFitsOnScreen(wizard, "the wizard's lifetime step");
    await wizard.getByRole("button", { name: "Next: summary" }).click();
    await expect(wizard.getByRole("heading", { name: "Check and confirm" })).toBeVisible();
    await expectFitsOnScreen(wizard, "the wizard's summary");
    await expectFitsAndAxeClean(page, "the wizard's summary");
    const confirm = wizard.getByRole("button", { name: "Confirm and share" });
    await confirm.scrollIntoViewIfNeeded();
    await expect(confirm).toBeInViewport();
    await confirm.click();
    await expect(wizard.getByTestId("share-result-state")).toHaveText("Delivered", { timeout: 30_000 });
    await expectFitsOnScreen(wizard, "the wizard's result");
    const shareHref = await wizard.getByRole("link", { name: "Open the share" }).getAttribute("href");
    const shareId = shareHref!.split("/").pop()!;
    await wizard.getByRole("button", { name: "Done" }).click();
    await expect(wizard).toBeHidden();

    // Shares, then the share itself.
    await page.goto("/shares");
    await expect(page.getByRole("table", { name: "Shares" })).toBeVisible();
    await expectFitsAndAxeClean(page, "/shares");
    await page.goto(`/shares/${shareId}`);
    // The heading names whom the session is about (item 6): "Share of session #N — Name".
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(
      new RegExp(`^Share of session #${session.number} — \\S`),
    );
    await expectFitsAndAxeClean(page, "the share");

    // The inbox: the delivered token, imported for review.
    await page.goto(`/inbox?q=${shareId}`);
    const card = page.getByRole("region", { name: "Received tokens" }).getByRole("article");
    await expect(card).toHaveCount(1, { timeout: 30_000 });
    await expectFitsAndAxeClean(page, "/inbox");
    await card.getByRole("button", { name: "Import", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Import this token?" });
    await expect(dialog).toBeVisible();
    await expectFitsOnScreen(dialog, "the import dialog");
    await dialog.getByRole("checkbox", { name: /Keep the partner's decision/ }).uncheck();
    await dialog.getByRole("button", { name: "Next: confirm" }).click();
    await expectFitsOnScreen(dialog, "the import dialog's confirmation");
    await expectFitsAndAxeClean(page, "the import dialog");
    await dialog.getByRole("button", { name: "Confirm import" }).click();
    await expect(dialog).toBeHidden({ timeout: 30_000 });
    await expect(card.getByRole("group", { name: "Import" })).toContainText("Imported");
    const reviewHref = await card.getByRole("link", { name: "Open the review" }).getAttribute("href");

    // The review queue, then the review page.
    await page.goto("/reviews");
    const queue = page.getByRole("table", { name: "Review queue" });
    await expect(queue).toBeVisible();
    await expect(queue.locator(`a[href="${reviewHref}"]`)).toBeVisible();
    await expectFitsAndAxeClean(page, "/reviews");
    await queue.locator(`a[href="${reviewHref}"]`).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(/^Review of session #\d+ — \S/);
    await expect(page.getByRole("region", { name: "The clone at Didit now" })).toBeVisible();
    await expect(page.getByRole("region", { name: "Lineage" })).toBeVisible();
    await expectFitsAndAxeClean(page, "the review page");
    const decide = page.getByRole("form", { name: "Decide" });
    await decide.getByRole("button", { name: "Approve" }).scrollIntoViewIfNeeded();
    await expect(decide.getByRole("button", { name: "Approve" })).toBeInViewport();
  });
});

test.describe("on a phone, as the auditor", () => {
  test.use({ storageState: storageFor("auditor") });
  test.setTimeout(120_000);

  test("the audit trail and a session's lineage fit the screen, axe-clean", async ({ page }) => {
    await page.goto("/audit");
    await expect(page.getByRole("status", { name: "Chain verification" })).toContainText(
      /Chain verified|Not verified yet/,
      {
        timeout: 60_000,
      },
    );
    await expect(page.getByRole("table", { name: "Audit events" })).toBeVisible();
    await expectFitsAndAxeClean(page, "/audit");

    const { session } = await mirroredSession(page.request, "Northwind Bank", "Approved");
    await page.goto("/lineage");
    await expectFitsAndAxeClean(page, "/lineage");
    const box = page.getByRole("search", { name: "Find a session's lineage" });
    await box.getByLabel("Session uuid, number or vendor_data").fill(session.sessionId);
    await box.getByRole("button", { name: "Trace" }).click();
    const graph = page.getByRole("figure", { name: /^Lineage graph/ });
    await expect(graph.locator(".react-flow__node").first()).toBeVisible();
    await expectFitsOnScreen(graph, "the lineage graph");
    await expectFitsAndAxeClean(page, "a session's lineage");
  });
});

test.describe("the menu sheet", () => {
  test.use({ storageState: storageFor("officer") });
  test.setTimeout(120_000);

  test("opens from the menu button with the role's navigation; traps focus; Esc closes it and focus returns", async ({
    page,
  }) => {
    await page.goto("/");
    const button = page.getByRole("button", { name: "Menu" });
    await expect(button).toHaveAttribute("aria-expanded", "false");
    const sheet = await openMenu(page);
    await expectFitsOnScreen(sheet, "the menu sheet");
    await expect(sheet.getByRole("navigation", { name: "Main", exact: true }).getByRole("link")).toHaveText([
      ...ROLE_USERS.officer.nav,
    ]);
    await expect(sheet.getByRole("link", { name: "Dashboard" })).toHaveAttribute("aria-current", "page");
    await expect(sheet).toContainText(ROLE_USERS.officer.email);
    await expect(sheet.getByRole("button", { name: "Sign out" })).toBeVisible();
    await expectFitsAndAxeClean(page, "the menu sheet");

    // Focus stays inside while it is open: a full round of Tab never leaves the sheet.
    const stops = ROLE_USERS.officer.nav.length + 3; // the links, change password, sign out, close
    for (let i = 0; i < stops + 2; i++) {
      await page.keyboard.press("Tab");
      expect(await sheet.evaluate((el) => el.contains(document.activeElement))).toBe(true);
    }
    await page.keyboard.press("Escape");
    await expect(sheet).toBeHidden();
    await expect(button).toBeFocused();
    await expect(button).toHaveAttribute("aria-expanded", "false");

    // Following a link closes it, also for the page already shown.
    await openMenu(page);
    await page.getByRole("dialog", { name: "Menu" }).getByRole("link", { name: "Dashboard" }).click();
    await expect(page.getByRole("dialog", { name: "Menu" })).toBeHidden();
    await openMenu(page);
    await page.getByRole("dialog", { name: "Menu" }).getByRole("link", { name: "Shares" }).click();
    await expect(page).toHaveURL(/\/shares$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Shares");
    await expect(page.getByRole("dialog", { name: "Menu" })).toBeHidden();
  });

  test("signs out from the sheet", async ({ browser }) => {
    // A login of its own: signing out ends the session, which the stored officer login must outlive.
    const context = await browser.newContext({
      storageState: { cookies: [], origins: [] },
      viewport: { width: 390, height: 844 },
    });
    const page = await context.newPage();
    const login = new LoginPage(page);
    await login.goto();
    await login.signIn(ROLE_USERS.auditor.email, ROLE_USERS.auditor.password);
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Welcome");
    const sheet = await openMenu(page);
    await sheet.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login/);
    await page.goto("/audit");
    await expect(page).toHaveURL(/\/login/);
    await context.close();
  });
});

for (const role of Object.keys(ROLE_USERS) as E2ERole[]) {
  test.describe(`every page of the ${role}'s navigation at 360 px`, () => {
    test.use({ storageState: storageFor(role), viewport: { width: 360, height: 740 } });

    test("is no wider than the screen", async ({ page }) => {
      test.setTimeout(180_000);
      await page.goto("/");
      const links = (await openMenu(page))
        .getByRole("navigation", { name: "Main", exact: true })
        .getByRole("link");
      const hrefs = await links.evaluateAll((els) => els.map((a) => a.getAttribute("href")!));
      expect(hrefs.length).toBe(ROLE_USERS[role].nav.length);
      await page.keyboard.press("Escape");
      for (const href of hrefs) {
        await page.goto(href);
        await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
        // Client data (tables, charts) has arrived: nothing is still loading.
        await expect(page.locator('[aria-busy="true"], [role="status"][aria-label^="Loading"]')).toHaveCount(
          0,
          {
            timeout: 60_000,
          },
        );
        await expectNoPageOverflow(page, `${href} as ${role}`);
      }
    });
  });
}
