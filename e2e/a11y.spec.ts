import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { importInReview, shareBankToPay } from "./review-world";
import { ROLE_USERS, storageFor, type E2ERole } from "./users";

const WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

async function expectNoViolations(page: Page, what: string) {
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  const summary = violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(" ")).join("\n  ")}`,
  );
  expect(summary, `axe violations on ${what}`).toEqual([]);
}

/** Waits until a page's client data has arrived, so axe sees what a user sees. */
async function settle(page: Page, path: string) {
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  if (path === "/audit") {
    await expect(page.getByRole("status", { name: "Chain verification" })).toContainText(
      /Chain verified|Not verified yet/,
    );
    await expect(page.getByRole("table", { name: "Audit events" })).toBeVisible();
  }
  if (path === "/admin/users") await expect(page.getByRole("table", { name: "Users" })).toBeVisible();
  if (path === "/applications") {
    await expect(
      page
        .getByRole("table", { name: "Connected applications" })
        .or(page.getByText("No Didit application is connected yet")),
    ).toBeVisible();
  }
  if (path === "/partners") {
    await expect(
      page.getByRole("table", { name: "Partners" }).or(page.getByText("No partners yet")),
    ).toBeVisible();
  }
  if (path === "/partners/new") await expect(page.getByRole("form", { name: "New partner" })).toBeVisible();
  if (path.startsWith("/partners/") && path !== "/partners/new") {
    await expect(page.getByRole("heading", { name: "Partner API and shared secret" })).toBeVisible();
  }
  if (path === "/sessions")
    await expect(
      page
        .getByRole("table", { name: "Sessions" })
        .or(page.getByText("No finished sessions yet"))
        .or(page.getByText("No Didit application is connected yet")),
    ).toBeVisible();
  if (path === "/shares")
    await expect(
      page.getByRole("table", { name: "Shares" }).or(page.getByText("No shares yet")),
    ).toBeVisible();
  if (path === "/inbox")
    await expect(
      page.getByRole("region", { name: "Received tokens" }).or(page.getByText("The inbox is empty")),
    ).toBeVisible();
  if (path === "/reviews")
    await expect(
      page.getByRole("table", { name: "Review queue" }).or(page.getByText("Nothing to review")),
    ).toBeVisible();
  if (path === "/recalls")
    await expect(
      page.getByRole("table", { name: "Recalls we sent" }).or(page.getByText("No recalls sent")),
    ).toBeVisible();
  if (path.startsWith("/reviews/")) {
    await expect(page.getByRole("region", { name: "Lineage" })).toBeVisible();
    await expect(page.getByRole("region", { name: "The clone at Didit now" })).toBeVisible();
  }
  if (path.startsWith("/lineage/"))
    await expect(
      page
        .getByRole("figure", { name: /^Lineage graph/ })
        .locator(".react-flow__node")
        .first(),
    ).toBeVisible();
  if (path === "/analytics")
    await expect(
      page
        .getByRole("table", { name: "Partner analytics" })
        .or(page.getByText("No shares or imports in this period")),
    ).toBeVisible();
  if (path.startsWith("/shares/"))
    await expect(
      page.getByRole("table", { name: "Delivery attempts" }).or(page.getByText(/^None( yet)?[.:]/)),
    ).toBeVisible();
}

const PAGES = [
  { path: "/", allowed: () => true },
  {
    path: "/audit",
    allowed: (role: E2ERole) => (ROLE_USERS[role].nav as readonly string[]).includes("Audit trail"),
  },
  {
    path: "/admin/users",
    allowed: (role: E2ERole) => (ROLE_USERS[role].nav as readonly string[]).includes("Users"),
  },
  {
    path: "/sessions",
    allowed: (role: E2ERole) => (ROLE_USERS[role].nav as readonly string[]).includes("Sessions"),
  },
  {
    path: "/shares",
    allowed: (role: E2ERole) => (ROLE_USERS[role].nav as readonly string[]).includes("Shares"),
  },
  {
    path: "/inbox",
    allowed: (role: E2ERole) => (ROLE_USERS[role].nav as readonly string[]).includes("Inbox"),
  },
  {
    path: "/reviews",
    allowed: (role: E2ERole) => (ROLE_USERS[role].nav as readonly string[]).includes("Reviews"),
  },
  // Every role may read the recalls (the nav item is for officers, auditors and admins).
  { path: "/recalls", allowed: () => true },
  {
    path: "/partners",
    allowed: (role: E2ERole) => (ROLE_USERS[role].nav as readonly string[]).includes("Partners"),
  },
  {
    path: "/lineage",
    allowed: (role: E2ERole) => (ROLE_USERS[role].nav as readonly string[]).includes("Lineage"),
  },
  {
    path: "/analytics",
    allowed: (role: E2ERole) => (ROLE_USERS[role].nav as readonly string[]).includes("Analytics"),
  },
  {
    path: "/applications",
    allowed: (role: E2ERole) => (ROLE_USERS[role].nav as readonly string[]).includes("Applications"),
  },
  { path: "/partners/new", allowed: (role: E2ERole) => role === "partnerships" },
  { path: "/no-such-page", allowed: () => false, status: 404 },
];

for (const role of Object.keys(ROLE_USERS) as E2ERole[]) {
  test.describe(`axe, signed in as ${role}`, () => {
    test.use({ storageState: storageFor(role) });

    for (const { path, allowed, status } of PAGES) {
      const expected = status ?? (allowed(role) ? 200 : 403);
      test(`${path} (${expected}) has no WCAG 2.1 AA violations`, async ({ page }) => {
        const response = await page.goto(path);
        expect(response?.status()).toBe(expected);
        if (expected === 403)
          await expect(page.getByRole("heading", { name: /Your role cannot open/ })).toBeVisible();
        await settle(page, expected === 200 ? path : "");
        await expectNoViolations(page, `${path} as ${role}`);
      });
    }
  });
}

test.describe("axe on a share's page", () => {
  let sharePath = "";
  test.beforeAll(async ({ browser }) => {
    // The demo's sync fills the session mirror after start: share the first approved KYC session it holds.
    const officer = await browser.newContext({
      storageState: storageFor("officer"),
      baseURL: test.info().project.use.baseURL,
    });
    await expect
      .poll(
        async () => {
          const apps = (await (await officer.request.get("/api/applications")).json()) as {
            items?: { id: string; name: string }[];
          };
          const bank = apps.items?.find((a) => a.name === "Northwind Bank");
          if (!bank) return "";
          const sessions = (await (
            await officer.request.get(
              `/api/sessions?applicationId=${bank.id}&kind=user&status=Approved&limit=1`,
            )
          ).json()) as { items?: { sessionId: string }[] };
          const session = sessions.items?.[0];
          if (!session) return "";
          const eligible = (await (
            await officer.request.get(`/api/partners?eligibleFor=${session.sessionId}`)
          ).json()) as { items: { partner: { id: string }; eligible: boolean }[] };
          const partner = eligible.items.find((i) => i.eligible);
          if (!partner) return "";
          const res = await officer.request.post("/api/shares", {
            data: { sessionId: session.sessionId, partnerId: partner.partner.id, ttlSeconds: 900 },
          });
          if (res.status() !== 201) return "";
          sharePath = `/shares/${((await res.json()) as { id: string }).id}`;
          return sharePath;
        },
        { timeout: 60_000, intervals: [500, 1_000, 2_000] },
      )
      .toMatch(/^\/shares\//);
    await officer.close();
  });

  for (const role of Object.keys(ROLE_USERS) as E2ERole[]) {
    test(`a share's page as ${role} has no WCAG 2.1 AA violations`, async ({ browser }) => {
      const context = await browser.newContext({ storageState: storageFor(role) });
      const page = await context.newPage();
      const response = await page.goto(sharePath);
      expect(response?.status()).toBe(200);
      await settle(page, sharePath);
      await expectNoViolations(page, `${sharePath} as ${role}`);
      await context.close();
    });
  }

  // The share went to a sister brand (internal channel): its token waits in this console's inbox.
  test("the inbox holding the shared token, and its Reject confirmation, have no violations", async ({
    browser,
  }) => {
    const context = await browser.newContext({ storageState: storageFor("officer") });
    const page = await context.newPage();
    expect((await page.goto("/inbox"))?.status()).toBe(200);
    await settle(page, "/inbox");
    await expect(
      page.getByRole("region", { name: "Received tokens" }).getByRole("article").first(),
    ).toBeVisible();
    await expectNoViolations(page, "/inbox with a token as officer");
    await page.getByRole("button", { name: "Reject" }).first().click();
    await expect(page.getByRole("alertdialog", { name: "Reject this token?" })).toBeVisible();
    await page.getByRole("button", { name: "Reject token" }).click();
    await expect(page.getByText("Give a reason")).toBeVisible();
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== "running"));
    await expectNoViolations(page, "the Reject confirmation");
    await context.close();
  });
});

test.describe("axe on a lineage page", () => {
  let lineagePath = "";
  test.beforeAll(async ({ browser }) => {
    // Bank → Pay shared and imported: the graph has two sessions and the step between them.
    const officer = await browser.newContext({
      storageState: storageFor("officer"),
      baseURL: test.info().project.use.baseURL,
    });
    lineagePath = `/lineage/${(await importInReview(officer.request)).session.sessionId}`;
    await officer.close();
  });

  for (const role of ["officer", "auditor", "admin"] as E2ERole[]) {
    test(`a lineage page as ${role} has no WCAG 2.1 AA violations`, async ({ browser }) => {
      const context = await browser.newContext({ storageState: storageFor(role) });
      const page = await context.newPage();
      expect((await page.goto(lineagePath))?.status()).toBe(200);
      await settle(page, lineagePath);
      await expectNoViolations(page, `${lineagePath} as ${role}`);
      await context.close();
    });
  }
});

test.describe("axe on a review page", () => {
  let reviewPath = "";
  test.beforeAll(async ({ browser }) => {
    // An approved Northwind Bank session shared to Northwind Pay and imported for review (In Review).
    const officer = await browser.newContext({
      storageState: storageFor("officer"),
      baseURL: test.info().project.use.baseURL,
    });
    reviewPath = `/reviews/${(await importInReview(officer.request)).importId}`;
    await officer.close();
  });

  for (const role of Object.keys(ROLE_USERS) as E2ERole[]) {
    test(`a review page as ${role} has no WCAG 2.1 AA violations`, async ({ browser }) => {
      const context = await browser.newContext({ storageState: storageFor(role) });
      const page = await context.newPage();
      const response = await page.goto(reviewPath);
      expect(response?.status()).toBe(200);
      await settle(page, reviewPath);
      await expectNoViolations(page, `${reviewPath} as ${role}`);
      await context.close();
    });
  }

  test("the Import dialog and its confirmation step have no violations", async ({ browser }) => {
    const context = await browser.newContext({ storageState: storageFor("officer") });
    const page = await context.newPage();
    const { shareId } = await shareBankToPay(page.request);
    await page.goto(`/inbox?q=${shareId}`);
    await settle(page, "/inbox");
    await page.getByRole("button", { name: "Import", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Import this token?" });
    await expect(dialog.getByRole("checkbox", { name: /Keep the partner's decision/ })).toBeVisible();
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== "running"));
    await expectNoViolations(page, "the Import dialog");
    await dialog.getByRole("button", { name: "Next: confirm" }).click();
    await expect(dialog.getByRole("button", { name: "Confirm import" })).toBeVisible();
    await expectNoViolations(page, "the Import confirmation");
    await context.close();
  });

  test("the review queue with an item, the decline error and the approve confirmation have no violations", async ({
    browser,
  }) => {
    const context = await browser.newContext({ storageState: storageFor("officer") });
    const page = await context.newPage();
    await page.goto("/reviews");
    await settle(page, "/reviews");
    await expect(page.getByRole("table", { name: "Review queue" })).toBeVisible();
    await expectNoViolations(page, "/reviews with an item as officer");
    await page.goto(reviewPath);
    await settle(page, reviewPath);
    const decide = page.getByRole("form", { name: "Decide" });
    await decide.getByRole("button", { name: "Decline" }).click();
    await expect(decide.getByText("Say why you decline: a comment is required")).toBeVisible();
    await expectNoViolations(page, "the decline error");
    await decide.getByRole("button", { name: "Approve" }).click();
    await expect(page.getByRole("alertdialog", { name: "Approve this session?" })).toBeVisible();
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== "running"));
    await expectNoViolations(page, "the approve confirmation");
    await page.keyboard.press("Escape");
    await context.close();
  });
});

for (const role of Object.keys(ROLE_USERS) as E2ERole[]) {
  test.describe(`axe on a partner's page, signed in as ${role}`, () => {
    test.use({ storageState: storageFor(role) });

    test("/partners/{id} has no WCAG 2.1 AA violations", async ({ page }) => {
      await page.goto("/partners");
      await settle(page, "/partners");
      await page.getByRole("table", { name: "Partners" }).getByRole("link").first().click();
      await expect(page).toHaveURL(/\/partners\/[0-9a-f-]{36}$/);
      await settle(page, new URL(page.url()).pathname);
      await expectNoViolations(page, `a partner's page as ${role}`);
    });
  });
}

test.describe("axe on a partner's dialogs, signed in as partnerships", () => {
  test.use({ storageState: storageFor("partnerships") });

  test("the suspend confirmation, the rotation and the one-time secret have no violations", async ({
    page,
  }) => {
    await page.goto("/partners");
    await settle(page, "/partners");
    await page.getByRole("table", { name: "Partners" }).getByRole("link").first().click();
    await expect(page).toHaveURL(/\/partners\/[0-9a-f-]{36}$/);
    await settle(page, new URL(page.url()).pathname);

    const suspendButton = page.getByRole("button", { name: "Suspend", exact: true });
    if (await suspendButton.isVisible()) {
      await suspendButton.click();
      const suspend = page.getByRole("alertdialog", { name: /^Suspend / });
      await expect(suspend).toBeVisible();
      await suspend.getByRole("button", { name: "Suspend partner" }).click();
      await expect(suspend.getByText("Say why the partner is suspended")).toBeVisible();
      await expectNoViolations(page, "the suspend confirmation");
      await page.keyboard.press("Escape");
      await expect(suspend).toBeHidden();
    }

    await page.getByRole("button", { name: /^(Rotate|Issue) secret$/ }).click();
    const confirm = page.getByRole("alertdialog");
    await expect(confirm).toBeVisible();
    await expectNoViolations(page, "the rotation confirmation");
    await confirm.getByRole("button", { name: /^(Rotate|Issue) secret$/ }).click();
    const secret = page.getByRole("dialog", { name: /^Shared secret for / });
    await expect(secret).toBeVisible();
    await expectNoViolations(page, "the one-time secret");
    await secret.getByRole("button", { name: "Done" }).click();
    await expect(secret).toBeHidden();
  });
});

test.describe("axe, signed out", () => {
  test("/login has no WCAG 2.1 AA violations", async ({ page }) => {
    await page.goto("/login");
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
    await expectNoViolations(page, "/login");
  });

  test("the 404 page has no WCAG 2.1 AA violations", async ({ page }) => {
    const response = await page.goto("/no-such-page");
    expect(response?.status()).toBe(404);
    await settle(page, "");
    await expectNoViolations(page, "the visitor's 404");
  });
});

test.describe("axe on open overlays, signed in as admin", () => {
  test.use({ storageState: storageFor("admin") });

  test("the role list, the confirmation and the user menu have no violations; focus returns to their trigger", async ({
    page,
  }) => {
    await page.goto("/admin/users");
    await settle(page, "/admin/users");

    const select = page.getByRole("combobox", { name: "Role of officer@handoff.local" });
    await select.click();
    await expect(page.getByRole("listbox")).toBeVisible();
    await expectNoViolations(page, "the open role list");
    await page.getByRole("option", { name: "Auditor" }).click();
    const confirm = page.getByRole("alertdialog", { name: "Change the role?" });
    await expect(confirm).toBeVisible();
    await expect(confirm.getByRole("button", { name: "Cancel" })).toBeFocused();
    await expectNoViolations(page, "the role confirmation");
    await page.keyboard.press("Escape");
    await expect(confirm).toBeHidden();
    await expect(select).toBeFocused();
    await expect(select).toHaveText("Compliance officer");

    const menu = page.getByRole("button", { name: /Ada Admin|Administrator/ });
    await menu.click();
    await expect(page.getByRole("menuitem", { name: "Sign out" })).toBeVisible();
    await expectNoViolations(page, "the open user menu");
    await page.keyboard.press("Escape");
    await expect(menu).toBeFocused();
  });

  test("the one-time password dialog has no violations and gives focus back to the form", async ({
    page,
  }) => {
    await page.goto("/admin/users");
    await settle(page, "/admin/users");
    const form = page.getByRole("form", { name: "Add a user" });
    await form.getByLabel("Name").fill("Axel Axe");
    await form.getByLabel("Email").fill(`axe.${Date.now()}@handoff.local`);
    const submit = form.getByRole("button", { name: "Create user" });
    await submit.click();
    const dialog = page.getByRole("dialog", { name: "User created" });
    await expect(dialog).toBeVisible();
    await expectNoViolations(page, "the one-time password dialog");
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(submit).toBeFocused();
  });
});
