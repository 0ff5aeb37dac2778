import { randomBytes } from "node:crypto";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { SignJWT } from "jose";
import type { AnalyticsResponse } from "../lib/schemas/analytics";
import type { LineageGraphDto } from "../lib/schemas/lineage";
import { mirroredSession } from "./review-world";
import { storageFor } from "./users";

type App = { id: string; name: string; diditApplicationId: string };

/**
 * A token shaped like Didit's, naming the demo partner Northwind Pay and one of its real sessions,
 * for Northwind Bank, signed with a secret Didit never held: a forgery anyone could paste.
 */
async function forgeFromPay(request: APIRequestContext) {
  await mirroredSession(request, "Northwind Pay", "Approved");
  const apps = (await (await request.get("/api/applications")).json()) as { items: App[] };
  const bank = apps.items.find((a) => a.name === "Northwind Bank")!;
  const pay = apps.items.find((a) => a.name === "Northwind Pay")!;
  // One of Pay's own verifications, not a clone other specs imported (its lineage has imports).
  const listed = await request.get(
    `/api/sessions?applicationId=${pay.id}&kind=user&status=Approved&limit=50`,
  );
  const { items } = (await listed.json()) as {
    items: { sessionId: string; sharedFromSession: string | null }[];
  };
  const session = items.find((s) => s.sharedFromSession === null)!;
  expect(session, "an Approved Pay session of its own").toBeDefined();
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({
    session_id: session.sessionId,
    from_application_id: pay.diditApplicationId,
    for_application_id: bank.diditApplicationId,
    session_kind: "user",
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(randomBytes(32));
  return { token, sessionId: session.sessionId };
}

async function payFigures(request: APIRequestContext) {
  const res = await request.get("/api/analytics");
  expect(res.status()).toBe(200);
  const body = (await res.json()) as AnalyticsResponse;
  const pay = body.partners.find(
    (p) => p.partnerName === "Northwind Pay" && p.applicationName === "Northwind Bank",
  );
  return { totals: body.totals, pay };
}

test.describe("a forged token in the inbox", () => {
  test.use({ storageState: storageFor("officer") });

  test("pasted: Unverified; imported: Invalid (refused by Didit); lineage and analytics do not count it", async ({
    page,
  }) => {
    // A paste, an import, lineage, analytics and an axe scan in one walk, on a loaded CI machine.
    test.setTimeout(360_000);
    const { token, sessionId } = await forgeFromPay(page.request);
    const before = await payFigures(page.request);

    await page.goto("/inbox");
    await page.getByRole("textbox", { name: "Share token" }).fill(token);
    await page.getByRole("button", { name: "Add to inbox" }).click();
    await expect(page.getByText(/unverified until Didit accepts it on import/)).toBeVisible();

    // The pasted card: the only one naming the session that nothing proves the sender of (the
    // session may be a clone another spec imported, whose genuine card names it too); then by its id.
    const pastedCard = page
      .getByRole("article")
      .filter({ hasText: sessionId })
      .filter({ hasText: "nothing proves who sent it" });
    await expect(pastedCard).toHaveCount(1);
    const headingId = await pastedCard.getAttribute("aria-labelledby");
    const card = page.locator(`article[aria-labelledby="${headingId}"]`);
    await expect(card.getByText("Unverified", { exact: true })).toBeVisible();
    await expect(card.getByRole("note", { name: "Verification" })).toContainText(
      "Unverified: the claims below are what the token says; only Didit can confirm them on import.",
    );
    await expect(card.getByRole("note", { name: "Verification" })).toContainText(
      "nothing proves who sent it",
    );
    await card.getByRole("button", { name: "Details and receipts" }).click();
    await expect(
      card.getByText("The token's claims (not verified: only Didit can confirm them)"),
    ).toBeVisible();
    await page.screenshot({ path: "test-results/inbox-forged-unverified.png", fullPage: true });
    const axe = await new AxeBuilder({ page })
      .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
      .analyze();
    expect(
      axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    ).toEqual([]);

    // Unverified: not the partner's in analytics yet, counted apart.
    const pasted = await payFigures(page.request);
    expect(pasted.pay?.received ?? 0).toBe(before.pay?.received ?? 0);
    expect(pasted.pay!.receivedUnverified).toBe((before.pay?.receivedUnverified ?? 0) + 1);

    // Import it: Didit (the sandbox) refuses it; the item is invalid and offers nothing more.
    await card.getByRole("button", { name: "Import" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("button", { name: "Next: confirm" }).click();
    await dialog.getByRole("button", { name: "Confirm import" }).click();
    await expect(dialog.getByText("Invalid (refused by Didit)")).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(dialog).toHaveCount(0);
    await expect(card.getByText("Invalid (refused by Didit)", { exact: true })).toBeVisible();
    await expect(card.getByRole("note", { name: "Verification" })).toContainText(
      "Didit refused this token as invalid",
    );
    await expect(card.getByRole("button", { name: "Import" })).toHaveCount(0);
    await expect(card.getByRole("button", { name: /Retry import/ })).toHaveCount(0);
    await expect(card.getByRole("button", { name: "Reject" })).toHaveCount(0);
    await page.screenshot({ path: "test-results/inbox-forged-invalid.png", fullPage: true });

    // The state filter finds it.
    await page.goto("/inbox?state=invalid");
    await expect(page.getByRole("article").filter({ hasText: sessionId })).toHaveCount(1, {
      timeout: 45_000,
    });

    // Lineage: the claimed session draws no import of the forgery, nor any failed placeholder.
    const lineage = await page.request.get(`/api/lineage/${sessionId}`);
    expect(lineage.status()).toBe(200);
    const graph = (await lineage.json()) as LineageGraphDto;
    expect(graph.nodes.filter((n) => n.id.startsWith("import:") || n.id.startsWith("inbox:"))).toEqual([]);
    expect(graph.edges.filter((e) => e.kind === "import" && e.from === sessionId)).toEqual([]);
    await page.goto(`/lineage/${sessionId}`);
    await expect(page.getByRole("heading", { level: 2, name: "Graph" })).toBeVisible({ timeout: 45_000 });
    await expect(page.getByText(/\d+ sessions?, \d+ steps?\./)).toBeVisible();
    await expect(page.getByText(/Import failed/)).toHaveCount(0);

    // Analytics: still not the partner's; counted as refused by Didit.
    const after = await payFigures(page.request);
    expect(after.pay!.received).toBe(before.pay?.received ?? 0);
    expect(after.pay!.imported).toBe(before.pay?.imported ?? 0);
    expect(after.pay!.receivedUnverified).toBe(before.pay?.receivedUnverified ?? 0);
    expect(after.pay!.receivedInvalid).toBe((before.pay?.receivedInvalid ?? 0) + 1);
    await page.goto("/analytics");
    const totals = page.getByRole("list", { name: "Totals" });
    await expect(totals.locator('[data-kpi="received"] [data-kpi-value]')).toHaveText(
      String(after.totals.received),
      { timeout: 45_000 },
    );
    await expect(totals.locator('[data-kpi="unverified"] [data-kpi-value]')).toHaveText(
      `${after.totals.receivedUnverified} / ${after.totals.receivedInvalid}`,
    );
    const row = page
      .getByRole("table", { name: "Partner analytics" })
      .getByRole("row")
      .filter({ has: page.getByRole("link", { name: "Northwind Pay", exact: true }) });
    await expect(row.getByRole("cell").nth(5)).toHaveText(String(after.pay!.received));
    await expect(row).toContainText(`${after.pay!.receivedUnverified} / ${after.pay!.receivedInvalid}`);
  });
});
