import { expect, test, type APIRequestContext, type Locator, type Page } from "@playwright/test";
import {
  inboxItemOf,
  importInReview,
  mirroredSession,
  shareBankToPay,
  type SessionItem,
} from "./review-world";
import { storageFor } from "./users";

/**
 * Irreversible buttons clicked twice or three times in quick succession (issue 15, item 1): each
 * makes exactly one share, import, decision, revocation or erasure. The clicks go through the
 * mouse at the button's position, as a person's do: Playwright's own click would wait for the
 * button to be actionable again and so could never double-click it.
 */
async function rapidClicks(page: Page, button: Locator, times: number, gapMs: number) {
  await expect(button).toBeVisible();
  const box = (await button.boundingBox())!;
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  if (gapMs === 0) {
    await page.mouse.click(x, y, { clickCount: times });
    return;
  }
  for (let i = 0; i < times; i++) {
    await page.mouse.click(x, y);
    if (i < times - 1) await page.waitForTimeout(gapMs);
  }
}

type Listed = { items: { id: string }[] };

async function sharesOf(request: APIRequestContext, sessionId: string): Promise<string[]> {
  const res = await request.get(`/api/shares?sessionId=${sessionId}&limit=100`);
  expect(res.status()).toBe(200);
  return ((await res.json()) as Listed).items.map((s) => s.id);
}

/** Audit events of one action, optionally about one entity (read as the admin). */
async function auditCount(request: APIRequestContext, action: string, entityId?: string): Promise<number> {
  const q = new URLSearchParams({ action, limit: "200", ...(entityId ? { entityId } : {}) });
  const res = await request.get(`/api/audit?${q}`);
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as Listed).items.length;
}

/** Lets a stray second request (were one sent) reach the server before counting. */
const settle = (page: Page) => page.waitForTimeout(1_500);

async function openWizardAtSummary(page: Page, session: SessionItem, appId: string) {
  await page.goto(`/sessions?applicationId=${appId}&kind=user&q=${session.sessionId}`);
  await page
    .getByRole("table", { name: "Sessions" })
    .getByRole("button", { name: new RegExp(`^Open session #${session.number}:`) })
    .click();
  const drawer = page.getByRole("dialog", { name: new RegExp(`#${session.number}`) });
  await drawer.getByRole("button", { name: "Share with a partner" }).click();
  const wizard = page.getByRole("dialog", { name: `Share session #${session.number}` });
  await wizard.getByRole("radio", { name: /Northwind Pay/ }).check();
  await wizard.getByRole("button", { name: "Next: lifetime" }).click();
  await wizard.getByRole("radio", { name: /^1 hour/ }).check();
  await wizard.getByRole("button", { name: "Next: summary" }).click();
  await expect(wizard.getByRole("heading", { name: "Check and confirm" })).toBeVisible();
  return wizard;
}

test.describe("double- and triple-clicks on irreversible buttons, as the compliance officer", () => {
  test.use({ storageState: storageFor("officer") });
  test.setTimeout(180_000);

  for (const [name, times, gap] of [
    ["a double-click 30 ms apart", 2, 30],
    ["a triple-click", 3, 0],
  ] as const) {
    test(`${name} on Confirm and share makes exactly one share`, async ({ page }) => {
      const { app, session } = await mirroredSession(page.request, "Northwind Bank", "Approved");
      const before = await sharesOf(page.request, session.sessionId);
      const wizard = await openWizardAtSummary(page, session, app.id);

      const shareRequests: string[] = [];
      page.on("request", (r) => {
        if (r.method() === "POST" && new URL(r.url()).pathname === "/api/shares")
          shareRequests.push(r.headers()["idempotency-key"] ?? "");
      });
      await rapidClicks(page, wizard.getByRole("button", { name: "Confirm and share" }), times, gap);
      await expect(wizard.getByTestId("share-result-state")).toHaveText("Delivered");
      await expect(wizard.getByRole("alert").filter({ hasText: "not shared" })).toHaveCount(0);
      await settle(page);

      const after = await sharesOf(page.request, session.sessionId);
      expect(after.filter((id) => !before.includes(id))).toHaveLength(1);
      // One request went out, and it carried an Idempotency-Key.
      expect(shareRequests).toHaveLength(1);
      expect(shareRequests[0]).toMatch(/^[0-9a-f]{32}$/);
    });
  }

  test("a double-click on Confirm import makes one import", async ({ page, browser }) => {
    const admin = await browser.newContext({ storageState: storageFor("admin") });
    try {
      const { shareId } = await shareBankToPay(page.request);
      const itemId = await inboxItemOf(page.request, shareId);
      const created = await auditCount(admin.request, "import.created");
      await page.goto(`/inbox?q=${shareId}`);
      await page.getByRole("button", { name: "Import", exact: true }).click();
      const dialog = page.getByRole("dialog", { name: "Import this token?" });
      await dialog.getByRole("button", { name: "Next: confirm" }).click();
      await rapidClicks(page, dialog.getByRole("button", { name: "Confirm import" }), 2, 30);
      await expect(dialog).toBeHidden({ timeout: 30_000 });
      await settle(page);

      const item = (await (await page.request.get(`/api/inbox/${itemId}`)).json()) as {
        import: { id: string; state: string } | null;
      };
      expect(item.import?.state).toBe("imported");
      expect(await auditCount(admin.request, "import.created")).toBe(created + 1);
      expect(await auditCount(admin.request, "import.failed", item.import!.id)).toBe(0);
    } finally {
      await admin.close();
    }
  });

  test("a double-click on Send Approved to Didit makes one decision", async ({ page }) => {
    const { importId } = await importInReview(page.request);
    await page.goto(`/reviews/${importId}`);
    const decide = page.getByRole("form", { name: "Decide" });
    await decide.getByLabel("Comment").fill("Matches the source");
    await decide.getByRole("button", { name: "Approve" }).click();
    const confirm = page.getByRole("alertdialog", { name: "Approve this session?" });
    const send = confirm.getByRole("button", { name: /Send Approved to Didit|Propose Approved/ });
    await rapidClicks(page, send, 2, 30);
    await expect(confirm).toBeHidden({ timeout: 30_000 });
    await expect(page.getByRole("alert").filter({ hasText: /not sent|refused/i })).toHaveCount(0);
    await settle(page);

    const detail = (await (await page.request.get(`/api/imports/${importId}`)).json()) as {
      decisions: { status: string }[];
    };
    expect(detail.decisions).toHaveLength(1);
    expect(detail.decisions[0]!.status).toBe("Approved");
  });

  test("a double-click on Revoke share revokes once, without an error", async ({ page, browser }) => {
    const manager = await browser.newContext({ storageState: storageFor("partnerships") });
    const admin = await browser.newContext({ storageState: storageFor("admin") });
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
      expect(res.status()).toBe(201);
      const { id } = (await res.json()) as { id: string };

      await page.goto(`/shares/${id}`);
      await page.getByRole("button", { name: "Revoke" }).click();
      const revoke = page.getByRole("alertdialog", { name: "Revoke this share?" });
      await revoke.getByLabel("Reason").fill("Sent to the wrong partner");
      await rapidClicks(page, revoke.getByRole("button", { name: "Revoke share" }), 2, 30);
      await expect(revoke).toBeHidden();
      await expect(page.getByText("Revoked: Sent to the wrong partner.")).toBeVisible();
      await settle(page);
      expect(await auditCount(admin.request, "share.revoked", id)).toBe(1);
    } finally {
      expect((await patch("internal")).status()).toBe(200);
      await manager.close();
      await admin.close();
    }
  });
});

test.describe("double-clicks on Erase session, as the admin", () => {
  test.use({ storageState: storageFor("admin") });
  test.setTimeout(180_000);

  test("a double-click on Erase session makes one erasure request", async ({ page }) => {
    // A KYB session no other spec erases (the erasure spec erases a declined KYC one).
    const { app, session } = await mirroredSession(page.request, "Northwind Bank", "Declined", "business");
    await page.goto("/erasure");
    await page.getByRole("button", { name: "New erasure request" }).click();
    const dialog = page.getByRole("dialog", { name: "New erasure request" });
    await dialog.getByPlaceholder("Name, number, vendor_data or session uuid").fill(session.sessionId);
    const option = dialog.getByRole("option").filter({ hasText: session.sessionId });
    await option.click();
    const chooseApp = dialog.getByRole("combobox", { name: "Application" });
    if (await chooseApp.isVisible()) await chooseApp.selectOption({ label: app.name });
    await dialog.getByLabel("Reason").fill("Data subject request DSR-E2E-DBL under GDPR art. 17");
    await dialog.getByRole("button", { name: "Continue" }).click();
    const confirm = page.getByRole("dialog", { name: "Confirm the erasure" });
    await confirm.getByLabel("Session id").fill(session.sessionId);
    await rapidClicks(page, confirm.getByRole("button", { name: "Erase session" }), 2, 30);
    await expect(page.getByRole("dialog", { name: "Session erased" })).toBeVisible({ timeout: 30_000 });
    await settle(page);

    const res = await page.request.get(`/api/erasure?sessionId=${session.sessionId}`);
    expect(res.status()).toBe(200);
    expect(((await res.json()) as Listed).items).toHaveLength(1);
  });
});
