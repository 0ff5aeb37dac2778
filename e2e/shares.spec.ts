import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { storageFor } from "./users";

type App = { id: string; name: string };
type SessionItem = { sessionId: string; number: number | null; status: string; kind: "user" | "business" };

/**
 * The demo connects the sandbox's Northwind applications and fills the session mirror with a sync
 * job after start: wait until the application's sessions of that status are mirrored.
 */
async function mirroredSession(request: APIRequestContext, appName: string, status: string) {
  let app: App | undefined;
  let session: SessionItem | undefined;
  await expect
    .poll(
      async () => {
        const apps = (await (await request.get("/api/applications")).json()) as { items?: App[] };
        app = apps.items?.find((a) => a.name === appName);
        if (!app) return "no application yet";
        const res = await request.get(
          `/api/sessions?applicationId=${app.id}&kind=user&status=${encodeURIComponent(status)}&limit=5`,
        );
        const body = (await res.json()) as { items?: SessionItem[] };
        session = body.items?.find((s) => s.number !== null);
        return session ? "mirrored" : "not mirrored yet";
      },
      { timeout: 60_000, intervals: [500, 1_000, 2_000] },
    )
    .toBe("mirrored");
  return { app: app!, session: session! };
}

async function expectNoViolations(page: Page, what: string) {
  // A toast fading in is checked at part opacity (a contrast failure it does not have once shown):
  // let running transitions and animations finish first (bounded).
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

/** A share of a mirrored Northwind Bank session to Northwind Pay, made over the API. */
async function createShare(request: APIRequestContext, status: string) {
  const { session } = await mirroredSession(request, "Northwind Bank", status);
  const eligible = (await (await request.get(`/api/partners?eligibleFor=${session.sessionId}`)).json()) as {
    items: { partner: { id: string; name: string }; eligible: boolean }[];
  };
  const pay = eligible.items.find((i) => i.partner.name === "Northwind Pay" && i.eligible);
  expect(pay, "Northwind Pay is eligible for an approved Northwind Bank session").toBeTruthy();
  const res = await request.post("/api/shares", {
    data: { sessionId: session.sessionId, partnerId: pay!.partner.id, ttlSeconds: 900 },
  });
  expect(res.status()).toBe(201);
  return (await res.json()) as { id: string };
}

/** Opens a session in the picker (its URL filters narrowed to that one session) and its drawer. */
async function openSessionDrawer(page: Page, app: App, session: SessionItem) {
  await page.goto(`/sessions?applicationId=${app.id}&kind=user&q=${session.sessionId}`);
  const open = page
    .getByRole("table", { name: "Sessions" })
    .getByRole("button", { name: new RegExp(`^Open session #${session.number}:`) });
  await open.click();
  const drawer = page.getByRole("dialog", { name: new RegExp(`#${session.number}`) });
  await expect(drawer).toBeVisible();
  return drawer;
}

async function openWizard(page: Page, app: App, session: SessionItem) {
  const drawer = await openSessionDrawer(page, app, session);
  await drawer.getByRole("button", { name: "Share with a partner" }).click();
  const wizard = page.getByRole("dialog", { name: `Share session #${session.number}` });
  await expect(wizard).toBeVisible();
  return wizard;
}

test.describe("sharing, as the compliance officer", () => {
  test.use({ storageState: storageFor("officer") });

  test("shares a finished Northwind Bank KYC session with Northwind Pay (internal) for 1 hour: delivered, then listed on /shares", async ({
    page,
  }) => {
    const { app, session } = await mirroredSession(page.request, "Northwind Bank", "Approved");
    const wizard = await openWizard(page, app, session);

    // 1. Partner: Northwind Pay is eligible.
    await expect(wizard.getByRole("heading", { name: "Choose the partner" })).toBeFocused();
    const pay = wizard.getByRole("radio", { name: /Northwind Pay/ });
    await expect(pay).toBeEnabled();
    await expectNoViolations(page, "the wizard's partner step");
    await pay.check();
    await wizard.getByRole("button", { name: "Next: lifetime" }).click();

    // 2. Lifetime: presets within the partner's maximum, a custom amount validated.
    await expect(wizard.getByRole("heading", { name: /Choose how long Northwind Pay/ })).toBeFocused();
    await wizard.getByRole("radio", { name: "Custom" }).check();
    await wizard.getByLabel("Custom lifetime").fill("0");
    await wizard.getByRole("button", { name: "Next: summary" }).click();
    await expect(wizard.getByText("The lifetime must be at least 1 minute")).toBeVisible();
    await expect(wizard.getByLabel("Custom lifetime")).toBeFocused();
    await expectNoViolations(page, "the wizard's lifetime step with an error");
    await wizard.getByRole("radio", { name: /^1 hour/ }).check();
    await wizard.getByRole("button", { name: "Next: summary" }).click();

    // 3. Summary: what will happen, for how long, until when.
    await expect(wizard.getByRole("heading", { name: "Check and confirm" })).toBeFocused();
    await expect(wizard).toContainText(`#${session.number}`);
    await expect(wizard).toContainText("Goes straight to Northwind Pay's inbox");
    await expect(wizard).toContainText("NW-GROUP-2026-01");
    await expect(wizard).toContainText("1 hour");
    await expectNoViolations(page, "the wizard's summary");
    await wizard.getByRole("button", { name: "Confirm and share" }).click();

    // 4. Result: delivered at once (internal), with a link to the share.
    await expect(wizard.getByTestId("share-result-state")).toHaveText("Delivered");
    await expect(wizard).toContainText("in Northwind Pay's inbox");
    const open = wizard.getByRole("link", { name: "Open the share" });
    const href = await open.getAttribute("href");
    expect(href).toMatch(/^\/shares\/[0-9a-f-]{36}$/);
    await expectNoViolations(page, "the wizard's result");
    await wizard.getByRole("button", { name: "Done" }).click();
    await expect(wizard).toBeHidden();

    await page.goto("/shares");
    const table = page.getByRole("table", { name: "Shares" });
    const row = table.getByRole("row").filter({ hasText: `#${session.number} · KYC` });
    await expect(row.first()).toContainText("Northwind Pay");
    await expect(row.first()).toContainText("Internal");
    await expect(row.first()).toContainText("Delivered");

    // Filters live in the URL: a state with none of these shares empties the list, and Clear brings it back.
    const filters = page.getByRole("search", { name: "Share filters" });
    await filters.getByLabel("State").selectOption("revoked");
    await expect(page).toHaveURL(/state=revoked/);
    await expect(table.getByRole("row").filter({ hasText: "Delivered" })).toHaveCount(0);
    await filters.getByLabel("Search").fill(String(session.number));
    await expect(page).toHaveURL(new RegExp(`q=${session.number}`));
    await filters.getByRole("button", { name: "Clear" }).click();
    await expect(page).not.toHaveURL(/state=|q=/);
    await expect(filters.getByLabel("Search")).toHaveValue("");
    await expect(row.first()).toContainText("Delivered");

    await page.goto(href!);
    // Headed with whom it is about (issue 15: names in queues).
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(
      new RegExp(`^Share of session #${session.number} — \\S`),
    );
    await expect(page.getByText("Delivered straight into Northwind Pay's inbox")).toBeVisible();
    await expect(page.getByRole("table", { name: "Delivery attempts" })).toContainText("delivered");
    // Delivered: nothing left to revoke or reveal.
    await expect(page.getByRole("button", { name: "Revoke" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Reveal token" })).toHaveCount(0);
  });

  test("a Declined session: Northwind Pay is shown ineligible, with the reason", async ({ page }) => {
    const { app, session } = await mirroredSession(page.request, "Northwind Bank", "Declined");
    const wizard = await openWizard(page, app, session);
    const pay = wizard.getByRole("radio", { name: /Northwind Pay/ });
    await expect(pay).toBeDisabled();
    await expect(pay).toHaveAccessibleDescription(/Declined/);
    await expect(wizard.getByRole("button", { name: "Next: lifetime" })).toBeDisabled();
    await wizard.getByRole("button", { name: "Cancel" }).click();
    await expect(wizard).toBeHidden();
  });
});

test.describe("a refusal at confirmation, as the compliance officer", () => {
  test.use({ storageState: storageFor("officer") });

  test("the partner is suspended while the wizard is open: the refusal shows inline, with the way back", async ({
    page,
    browser,
  }) => {
    const manager = await browser.newContext({ storageState: storageFor("partnerships") });
    const { app, session } = await mirroredSession(page.request, "Northwind Bank", "Approved");
    const wizard = await openWizard(page, app, session);
    await wizard.getByRole("radio", { name: /Northwind Pay/ }).check();
    const partnerId = await wizard.getByRole("radio", { name: /Northwind Pay/ }).getAttribute("value");
    await wizard.getByRole("button", { name: "Next: lifetime" }).click();
    await wizard.getByRole("button", { name: "Next: summary" }).click();
    await expect(wizard.getByRole("heading", { name: "Check and confirm" })).toBeVisible();
    const patch = (data: Record<string, unknown>) =>
      manager.request.patch(`/api/partners/${partnerId}`, { data });
    expect((await patch({ status: "suspended", suspendedReason: "Agreement under review" })).status()).toBe(
      200,
    );
    try {
      await wizard.getByRole("button", { name: "Confirm and share" }).click();
      const refusal = wizard.getByRole("alert").filter({ hasText: "The session was not shared" });
      await expect(refusal).toContainText("partner_suspended");
      await expectNoViolations(page, "the wizard's refusal");
      // Back to the partner step: the list is read again and now says why Northwind Pay is refused.
      await wizard.getByRole("button", { name: "Change partner" }).click();
      await expect(wizard.getByRole("radio", { name: /Northwind Pay/ })).toBeDisabled();
      await expect(wizard.getByRole("radio", { name: /Northwind Pay/ })).toHaveAccessibleDescription(
        /suspended/i,
      );
    } finally {
      expect((await patch({ status: "active" })).status()).toBe(200);
      await manager.close();
    }
  });
});

test.describe("manual channel, as the compliance officer", () => {
  test.use({ storageState: storageFor("officer") });

  test("reveals a token once (then it is gone) and revokes another with a reason", async ({
    page,
    browser,
  }) => {
    // The demo's Bank → Pay partnership is internal: a partnership manager switches it to manual for this test.
    const manager = await browser.newContext({ storageState: storageFor("partnerships") });
    const { session } = await mirroredSession(page.request, "Northwind Bank", "Approved");
    const eligible = (await (
      await page.request.get(`/api/partners?eligibleFor=${session.sessionId}`)
    ).json()) as {
      items: { partner: { id: string; name: string } }[];
    };
    const partnerId = eligible.items.find((i) => i.partner.name === "Northwind Pay")!.partner.id;
    const patch = (deliveryChannel: string) =>
      manager.request.patch(`/api/partners/${partnerId}`, { data: { deliveryChannel } });
    expect((await patch("manual")).status()).toBe(200);
    try {
      const toReveal = await createShare(page.request, "Approved");
      const toRevoke = await createShare(page.request, "Approved");

      await page.goto(`/shares/${toReveal.id}`);
      await expect(page.getByText("You reveal it once and hand it to Northwind Pay yourself.")).toBeVisible();
      await page.getByRole("button", { name: "Reveal token" }).click();
      const confirm = page.getByRole("dialog", { name: "Reveal the token once?" });
      await expect(confirm).toContainText("never again");
      await confirm.getByRole("button", { name: "Reveal token" }).click();
      const shown = page.getByRole("dialog", { name: "Share token" });
      const field = shown.getByLabel("Token", { exact: true });
      await expect(field).toHaveValue(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      const token = await field.inputValue();
      await expect(shown).toContainText("This is the only time the token is shown");
      await expectNoViolations(page, "the revealed token");
      await shown.getByRole("button", { name: "Done" }).click();
      await expect(shown).toBeHidden();
      // Gone from the page, and the server will not show it again.
      expect(await page.content()).not.toContain(token);
      await expect(page.getByRole("button", { name: "Reveal token" })).toHaveCount(0);
      await expect(page.getByRole("table", { name: "Delivery attempts" })).toContainText("revealed");
      const again = await page.request.post(`/api/shares/${toReveal.id}/reveal`, { data: {} });
      expect(again.status()).toBe(409);

      await page.goto(`/shares/${toRevoke.id}`);
      await page.getByRole("button", { name: "Revoke" }).click();
      const revoke = page.getByRole("alertdialog", { name: "Revoke this share?" });
      await expect(revoke).toContainText("Didit cannot revoke a token it minted");
      await revoke.getByRole("button", { name: "Revoke share" }).click();
      await expect(revoke.getByText("Give a reason")).toBeVisible();
      await expectNoViolations(page, "the revoke confirmation with an error");
      await revoke.getByLabel("Reason").fill("Sent to the wrong partner");
      await revoke.getByRole("button", { name: "Revoke share" }).click();
      await expect(revoke).toBeHidden();
      await expect(page.getByText("Revoked: Sent to the wrong partner.")).toBeVisible();
      // The Revoke button is gone: focus lands on the share's new state, not on the page body.
      await expect(page.getByRole("group", { name: "Delivery state" })).toBeFocused();
      await expect(page.getByRole("button", { name: /Revoke|Reveal/ })).toHaveCount(0);
    } finally {
      expect((await patch("internal")).status()).toBe(200);
      await manager.close();
    }
  });
});

test.describe("the shares pages, read-only roles", () => {
  test.use({ storageState: storageFor("auditor") });

  test("an auditor sees the shares list and a share, without any action", async ({ page, browser }) => {
    // A share made by the officer; the auditor reads it and is offered no action on it.
    const officer = await browser.newContext({ storageState: storageFor("officer") });
    const share = await createShare(officer.request, "Approved");
    await officer.close();

    await page.goto("/shares");
    await expect(page.getByRole("heading", { level: 1, name: "Shares" })).toBeVisible();
    const table = page.getByRole("table", { name: "Shares" });
    await expect(table).toBeVisible();
    await expect(page.getByRole("button", { name: /Revoke|Reveal/ })).toHaveCount(0);

    await page.goto(`/shares/${share.id}`);
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Share of session");
    await expect(page.getByRole("link", { name: "Audit trail of this share" })).toBeVisible();
    await expect(page.getByRole("button", { name: /Revoke|Reveal/ })).toHaveCount(0);
  });

  test("an unknown share is the not-found page", async ({ page }) => {
    const response = await page.goto("/shares/00000000-0000-4000-8000-000000000000");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "This page does not exist" })).toBeVisible();
  });
});
