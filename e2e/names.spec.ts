import { expect, test, type APIRequestContext } from "@playwright/test";
import { importInReview } from "./review-world";
import { storageFor } from "./users";

/**
 * Names in queues (issue 15, items 6 and 7): a reviewer sees whom a review, a share, an inbox item or
 * a lineage node is about without opening the ID document; "Kohler" finds Köhler in the picker.
 */

type Subject = { name: string | null; removed: boolean };

/** The clone's name arrives with Didit's webhook on the clone: wait until the review carries it. */
async function reviewSubject(request: APIRequestContext, importId: string): Promise<string> {
  let name = "";
  await expect
    .poll(
      async () => {
        const body = (await (await request.get(`/api/imports/${importId}`)).json()) as { subject?: Subject };
        name = body.subject?.name ?? "";
        return name;
      },
      { timeout: 30_000 },
    )
    .not.toBe("");
  return name;
}

test.describe("names wherever a session is listed or headed, as the compliance officer", () => {
  test.use({ storageState: storageFor("officer") });
  // Four pages and a lineage graph after an import: minutes on a loaded 2-core machine.
  test.setTimeout(420_000);

  test("the review queue and heading, Shares, Inbox and lineage show the person's name", async ({ page }) => {
    const { importId, cloneSessionId, shareId, session } = await importInReview(page.request);
    const source = (await (await page.request.get(`/api/sessions/${session.sessionId}`)).json()) as {
      session: { displayName: string | null };
    };
    const name = source.session.displayName!;
    expect(name, "the demo's shared session has a name").toBeTruthy();
    // The clone is the same person: its mirror row (from Didit's webhook) carries the same name.
    expect(await reviewSubject(page.request, importId)).toBe(name);

    // The review queue: the row names the person.
    await page.goto(`/reviews?q=${cloneSessionId}`);
    const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: /Review session/ }) });
    await expect(row).toHaveCount(1, { timeout: 60_000 });
    await expect(row.getByTestId("subject-name")).toHaveText(name);

    // The review page's heading.
    await page.goto(`/reviews/${importId}`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(
      new RegExp(`^Review of session #\\d+ — ${escape(name)}$`),
    );

    // Shares: the list row and the share's heading.
    await page.goto(`/shares?q=${shareId}`);
    const shareRow = page
      .getByRole("row")
      .filter({ has: page.getByRole("link", { name: /Share of session/ }) });
    await expect(shareRow).toHaveCount(1, { timeout: 60_000 });
    await expect(shareRow.getByTestId("subject-name")).toHaveText(name);
    await page.goto(`/shares/${shareId}`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(
      new RegExp(`^Share of session #${session.number} — ${escape(name)}$`),
    );

    // Inbox: the received token's card, once imported.
    await page.goto(`/inbox?q=${shareId}`);
    const card = page.getByRole("region", { name: "Received tokens" }).getByRole("article");
    await expect(card).toHaveCount(1, { timeout: 60_000 });
    await expect(card.getByTestId("subject-name")).toHaveText(name);

    // Lineage: the source (Northwind Bank) and the clone (Northwind Pay) nodes both name the person.
    await page.goto(`/lineage/${cloneSessionId}`);
    const clone = page.locator(`[data-testid="lineage-node"][data-node-id="${cloneSessionId}"]`);
    const sourceNode = page.locator(`[data-testid="lineage-node"][data-node-id="${session.sessionId}"]`);
    await expect(clone.getByTestId("subject-name")).toHaveText(name, { timeout: 30_000 });
    await expect(sourceNode.getByTestId("subject-name")).toHaveText(name);
    await page.screenshot({ path: "/tmp/shots/names-lineage.png" });
  });

  test('searching "Kohler" in the sessions picker finds Köhler', async ({ page }) => {
    await page.goto("/sessions");
    const table = page.getByRole("table", { name: "Sessions" });
    await expect(table.locator("tbody tr").first()).toBeVisible({ timeout: 60_000 });
    // How many Köhlers the demo holds, as their own spelling finds them.
    const exact = (await (await page.request.get("/api/sessions?q=K%C3%B6hler&limit=100")).json()) as {
      items: { displayName: string | null }[];
    };
    expect(exact.items.length, "the demo has sessions of people or companies named Köhler").toBeGreaterThan(
      0,
    );

    await page.getByLabel("Search").fill("Kohler");
    await expect(page).toHaveURL(/q=Kohler/);
    const names = table.locator("tbody tr").getByRole("button");
    await expect
      .poll(async () => {
        const shown = await names.allInnerTexts();
        return shown.length > 0 && shown.every((n) => n.includes("Köhler"));
      })
      .toBe(true);
    await expect(names).toHaveCount(Math.min(exact.items.length, 50));
    await page.screenshot({ path: "/tmp/shots/names-kohler.png" });
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
