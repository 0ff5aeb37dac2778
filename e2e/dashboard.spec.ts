import { expect, test, type Page } from "@playwright/test";
import { ROLE_USERS, storageFor, type E2ERole } from "./users";

type Figure = { id: string; label: string; value: number; href: string; hint: string; empty: string };
type Dashboard = { role: E2ERole; figures: Figure[] };

const LABELS: Record<E2ERole, string> = {
  admin: "Administrator",
  partnerships: "Partnership manager",
  officer: "Compliance officer",
  auditor: "Auditor",
};

/** Panels only one role's dashboard has (by their card heading). */
const PANELS: Record<E2ERole, string[]> = {
  officer: [],
  partnerships: [],
  auditor: ["Audit chain", "Latest evidence packs"],
  admin: ["Applications: sync and Didit webhooks", "Job queue", "Dead-lettered jobs"],
};

async function apiDashboard(page: Page): Promise<Dashboard> {
  const res = await page.request.get("/api/dashboard");
  expect(res.status()).toBe(200);
  return (await res.json()) as Dashboard;
}

for (const role of Object.keys(ROLE_USERS) as E2ERole[]) {
  test.describe(`the ${role}'s dashboard`, () => {
    test.use({ storageState: storageFor(role) });

    test("shows its cards, each number equal to the API's, each linking to its page", async ({ page }) => {
      const api = await apiDashboard(page);
      expect(api.role).toBe(role);
      expect(api.figures.length).toBeGreaterThan(2);
      await page.goto("/");
      await expect(page.getByRole("heading", { name: `${LABELS[role]} dashboard` })).toBeVisible();
      const cards = page.getByRole("list", { name: `${LABELS[role]} figures` });
      await expect(cards.getByRole("listitem")).toHaveCount(api.figures.length);
      for (const f of api.figures) {
        const card = cards.locator(`a[data-figure="${f.id}"]`);
        await expect(card).toContainText(f.label);
        await expect(card.locator("[data-figure-value]")).toHaveText(String(f.value));
        await expect(card).toContainText(f.value > 0 ? f.hint : f.empty);
        expect(await card.getAttribute("href")).toBe(f.href);
      }
      for (const other of Object.keys(PANELS) as E2ERole[]) {
        for (const name of PANELS[other]) {
          const heading = page.getByRole("heading", { name, exact: true });
          if (other === role) await expect(heading).toBeVisible();
          else await expect(heading).toHaveCount(0);
        }
      }
    });
  });
}

test.describe("following a figure", () => {
  test.use({ storageState: storageFor("officer") });

  test("the officer's overdue reviews open the queue filtered to overdue", async ({ page }) => {
    await page.goto("/");
    await page.locator('a[data-figure="overdue_reviews"]').click();
    await expect(page).toHaveURL(/\/reviews\?overdue=true$/);
    await expect(page.getByRole("heading", { level: 1, name: "Reviews" })).toBeVisible();
  });
});

test.describe("the partnership manager follows a figure", () => {
  test.use({ storageState: storageFor("partnerships") });

  test("suspended partners open the directory filtered to suspended", async ({ page }) => {
    await page.goto("/");
    await page.locator('a[data-figure="suspended_partners"]').click();
    await expect(page).toHaveURL(/\/partners\?status=suspended$/);
    await expect(page.getByRole("heading", { level: 1, name: "Partners" })).toBeVisible();
  });
});

test.describe("the auditor's chain state and the admin's queue", () => {
  test("an auditor sees the chain state the API reports", async ({ browser }) => {
    const context = await browser.newContext({ storageState: storageFor("auditor") });
    const page = await context.newPage();
    const api = (await apiDashboard(page)) as Dashboard & { chain: { state: string } };
    await page.goto("/");
    const chain = page.getByTestId("audit-chain");
    const label = { verified: "Verified", failed: "Broken", unverified: "Not verified yet" }[api.chain.state];
    await expect(chain).toContainText(label!);
    if (api.chain.state === "unverified") {
      await expect(chain.getByRole("link", { name: "Verify the chain" })).toHaveAttribute("href", "/audit");
    }
    await context.close();
  });

  test("an admin sees every connected application and every queue the API lists", async ({ browser }) => {
    const context = await browser.newContext({ storageState: storageFor("admin") });
    const page = await context.newPage();
    const api = (await apiDashboard(page)) as Dashboard & {
      applications: { name: string }[];
      queues: { queue: string; waiting: number }[];
      deadJobs: unknown[];
    };
    await page.goto("/");
    const apps = page.getByRole("table", { name: "Sync and webhook health per application" });
    if (api.applications.length === 0) {
      await expect(page.getByText("No application connected")).toBeVisible();
    } else {
      await expect(apps.locator("tbody tr")).toHaveCount(api.applications.length);
      for (const a of api.applications) await expect(apps).toContainText(a.name);
    }
    if (api.queues.length === 0) {
      await expect(page.getByText("The queue is empty")).toBeVisible();
    } else {
      const queues = page.getByRole("table", { name: "Jobs per queue and state" });
      await expect(queues.locator("tbody tr")).toHaveCount(api.queues.length);
    }
    if (api.deadJobs.length === 0) {
      await expect(page.getByText("No dead-lettered job", { exact: true })).toBeVisible();
    } else {
      await expect(page.getByRole("button", { name: /^Retry the / })).toHaveCount(api.deadJobs.length);
    }
    // Another role cannot retry a job, whatever the id.
    await context.close();
    const officer = await browser.newContext({ storageState: storageFor("officer") });
    const res = await (
      await officer.newPage()
    ).request.post("/api/jobs/00000000-0000-4000-8000-000000000000/retry", { data: {} });
    expect(res.status()).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    await officer.close();
  });
});
