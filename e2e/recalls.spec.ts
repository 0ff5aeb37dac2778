import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { inboxItemOf, mirroredSession } from "./review-world";
import { storageFor } from "./users";

const SHOTS = "/tmp/shots";
const admin = { authorization: `Bearer ${process.env.E2E_SANDBOX_ADMIN_TOKEN}` };

async function expectAxeClean(page: Page, what: string) {
  const { violations } = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  expect(
    violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    `axe violations on ${what}`,
  ).toEqual([]);
}

/**
 * Declines a Northwind Bank session at the sandbox as Didit's console would (update-status with a
 * key of Northwind Bank's sandbox application): the sandbox then sends its signed webhook to us.
 */
async function declineAtSandbox(request: APIRequestContext, sessionId: string) {
  const apps = (await (await request.get("/api/applications")).json()) as {
    items: { name: string; diditApplicationId: string }[];
  };
  const bank = apps.items.find((a) => a.name === "Northwind Bank");
  expect(bank, "Northwind Bank is connected").toBeTruthy();
  const key = await request.post(`/sandbox/admin/applications/${bank!.diditApplicationId}/keys`, {
    headers: admin,
    data: { privileges: ["read:sessions", "write:sessions"] },
  });
  expect(key.status(), await key.text()).toBe(201);
  const apiKey = ((await key.json()) as { api_key: string }).api_key;
  const res = await request.patch(`/sandbox/v3/session/${sessionId}/update-status/`, {
    headers: { "x-api-key": apiKey },
    data: { new_status: "Declined", comment: "Document found forged on a second look" },
  });
  expect(res.status(), await res.text()).toBe(200);
}

/**
 * An approved Northwind Bank KYC session no share was made of yet (declining it recalls only what
 * this spec shares), shared with Northwind Pay and imported there with trust review off.
 */
async function freshImportInReview(request: APIRequestContext) {
  const { app } = await mirroredSession(request, "Northwind Bank", "Approved");
  const list = (await (
    await request.get(`/api/sessions?applicationId=${app.id}&kind=user&status=Approved&limit=100`)
  ).json()) as { items: { sessionId: string; number: number | null }[] };
  let sessionId: string | undefined;
  for (const s of [...list.items].reverse()) {
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
  const itemId = await inboxItemOf(request, shareId);
  const imported = await request.post(`/api/inbox/${itemId}/import`, { data: { trustReview: false } });
  expect(imported.status(), await imported.text()).toBe(201);
  const body = (await imported.json()) as { id: string; statusAtImport: string };
  expect(body.statusAtImport).toBe("In Review");
  return { importId: body.id, shareId, session: { sessionId: sessionId! } };
}

type Received = { items: { id: string; trigger: string; imports: { id: string }[] }[] };

test.describe("recalls in one console, as the compliance officer", () => {
  test.use({ storageState: storageFor("officer") });
  test.setTimeout(180_000);

  test("Northwind Bank shares to Northwind Pay, Pay imports it; the source is declined at Didit: the recall shows on /recalls, the review page and the queue", async ({
    page,
  }) => {
    // 1. Shared to the sister brand and imported there: a clone In Review.
    const { importId, shareId, session } = await freshImportInReview(page.request);

    // 2. The source is declined at Didit; its webhook reaches us and the recall goes out.
    await declineAtSandbox(page.request, session.sessionId);
    await expect
      .poll(
        async () => {
          const body = (await (await page.request.get("/api/recalls?side=received")).json()) as Received;
          return body.items.some((r) => r.imports.some((i) => i.id === importId)) ? "recalled" : "waiting";
        },
        { timeout: 60_000, intervals: [500, 1_000, 2_000] },
      )
      .toBe("recalled");

    // 3. /recalls: the Sent tab lists the notice to Northwind Pay, told inside the console.
    await page.goto("/recalls");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Recalls");
    const sent = page.getByRole("table", { name: "Recalls we sent" });
    const row = sent.getByRole("row").filter({ has: page.locator(`a[href="/shares/${shareId}"]`) });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText("Declined");
    await expect(row).toContainText("Northwind Pay");
    await expect(row).toContainText("Internal");
    await expect(row).toContainText("Sent");
    await expectAxeClean(page, "/recalls (sent)");
    await page.screenshot({ path: `${SHOTS}/recalls-sent.png`, fullPage: true });

    // The Received tab: Northwind Bank's recall with the reason and the import it put back.
    await page.getByRole("tab", { name: "Received" }).click();
    await expect(page).toHaveURL(/tab=received/);
    const received = page.getByRole("table", { name: "Recalls we received" });
    const inbound = received.getByRole("row").filter({ has: page.locator(`a[href="/reviews/${importId}"]`) });
    await expect(inbound).toHaveCount(1);
    await expect(inbound).toContainText("Northwind Bank");
    await expect(inbound).toContainText("declined after it was shared");
    await expect(inbound).toContainText("In the queue");
    await expectAxeClean(page, "/recalls (received)");
    await page.screenshot({ path: `${SHOTS}/recalls-received.png`, fullPage: true });

    // 4. The review page: a prominent banner with the reason.
    await inbound.getByRole("link", { name: /Review clone/ }).click();
    await expect(page).toHaveURL(new RegExp(`/reviews/${importId}$`));
    const banner = page.getByRole("region", { name: "Recall" });
    await expect(banner).toContainText("Recalled by Northwind Bank: Declined");
    await expect(banner).toContainText("declined after it was shared");
    await expect(
      page.getByRole("form", { name: "Decide" }).getByRole("button", { name: "Approve" }),
    ).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/recalls-review-banner.png`, fullPage: true });

    // 5. The queue holds it, marked, with the officers' alert above it.
    await page.goto("/reviews?recalled=true");
    await expect(page.getByText(/recalled imports? needs? a new decision/)).toBeVisible();
    const queue = page.getByRole("table", { name: "Review queue" });
    const queued = queue.getByRole("row").filter({ has: page.locator(`a[href="/reviews/${importId}"]`) });
    await expect(queued).toHaveCount(1);
    await expect(queued).toContainText("Recalled: Declined");
    await expectAxeClean(page, "/reviews with a recalled import");

    // 6. Northwind Bank's share page says the share was recalled and how Pay was told.
    await page.goto(`/shares/${shareId}`);
    const shareBanner = page.getByRole("region", { name: "Recall" });
    await expect(shareBanner).toContainText("Recalled: Declined");
    await expect(shareBanner).toContainText("The partner is told (internal): sent.");
    await page.screenshot({ path: `${SHOTS}/recalls-share.png`, fullPage: true });

    // 6b. The lineage of the source shows both sides of the recall above the graph, and on its timeline.
    await page.goto(`/lineage/${session.sessionId}`);
    const recalled = page.getByRole("list", { name: "Recalls" });
    await expect(recalled).toContainText("We recalled our share");
    await expect(recalled).toContainText("The partner recalled what we imported");
    await expect(recalled).toContainText("Waiting for a new decision.");
    await expect(page.getByRole("list", { name: "Timeline" })).toContainText("recalled the source’s shares");
    await expect(
      page
        .getByRole("figure", { name: /Lineage graph/ })
        .getByText(/recalled/)
        .first(),
    ).toBeVisible();
    await expectAxeClean(page, "the lineage page with a recall");
    await page.screenshot({ path: `${SHOTS}/recalls-lineage.png`, fullPage: true });

    // 7. An officer decides again (Declined, with a comment): sent to Didit, the recall is cleared
    // and the import leaves the queue's recalled group.
    await page.goto(`/reviews/${importId}`);
    const decide = page.getByRole("form", { name: "Decide" });
    await decide.getByLabel("Comment").fill("The partner declined its source: declined here too.");
    await decide.getByRole("button", { name: "Decline" }).click();
    const confirm = page.getByRole("alertdialog", { name: "Decline this session?" });
    await confirm.getByRole("button", { name: "Send Declined to Didit" }).click();
    await expect(confirm).toBeHidden();
    await expect(page.getByRole("region", { name: "Recall" })).toHaveCount(0);
    await expect
      .poll(async () => {
        const body = (await (
          await page.request.get("/api/recalls?side=received&state=open")
        ).json()) as Received;
        return body.items.some((r) => r.imports.some((i) => i.id === importId)) ? "open" : "cleared";
      })
      .toBe("cleared");
    await page.goto("/reviews?recalled=true");
    await expect(page.locator(`a[href="/reviews/${importId}"]`)).toHaveCount(0);
  });

  test("an auditor sees /recalls in the navigation and reads both tabs; a partnership manager does not get the nav item", async ({
    browser,
  }) => {
    const auditor = await browser.newContext({ storageState: storageFor("auditor") });
    const page = await auditor.newPage();
    await page.goto("/recalls");
    await expect(
      page.getByRole("navigation", { name: "Main", exact: true }).getByRole("link", { name: "Recalls" }),
    ).toBeVisible();
    await expect(page.getByRole("tab", { name: "Sent" })).toHaveAttribute("aria-selected", "true");
    await expect(page.getByRole("button", { name: /Retry|Mark partner told/ })).toHaveCount(0);
    await auditor.close();

    const manager = await browser.newContext({ storageState: storageFor("partnerships") });
    const other = await manager.newPage();
    await other.goto("/");
    await expect(
      other.getByRole("navigation", { name: "Main", exact: true }).getByRole("link", { name: "Reviews" }),
    ).toBeVisible();
    await expect(
      other.getByRole("navigation", { name: "Main", exact: true }).getByRole("link", { name: "Recalls" }),
    ).toHaveCount(0);
    await manager.close();
  });
});
