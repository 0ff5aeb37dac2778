import { randomUUID } from "node:crypto";
import { expect as baseExpect, test, type Locator, type Page } from "@playwright/test";
import { storageFor } from "./users";

/**
 * Every list's filter bar driven into odd states: the fields show what the URL applies (typed by
 * hand, back and forward), Clear clears fields, errors and URL, and an invalid period is an inline
 * error that visibly blocks Apply. The auditor can open all seven lists.
 */

// A page's first load fetches its panel's chunk: generous waits for a busy machine.
const expect = baseExpect.configure({ timeout: 45_000 });

const NOT_APPLIED = "These filters are not applied: correct the marked field, or Clear.";

/** The URL's query as a map (the bars write `+` or `%20`, `@` or `%40`: compare decoded values). */
const query = (page: Page) => Object.fromEntries(new URL(page.url()).searchParams);

async function expectQuery(page: Page, expected: Record<string, string>) {
  await expect.poll(() => query(page)).toEqual(expected);
}

/** A search-as-you-type bar: hand-edited URL → fields; Clear straight after typing; back/forward. */
async function searchBar(
  page: Page,
  path: string,
  bar: Locator,
  select: { label: string; value: string },
  clearName = "Clear",
) {
  await page.goto(
    `${path}?${new URLSearchParams({ [select.label.toLowerCase()]: select.value, q: "zz-odd" })}`,
  );
  await expect(bar.getByLabel("Search")).toHaveValue("zz-odd");
  await expect(bar.getByLabel(select.label, { exact: true })).toHaveValue(select.value);

  await bar.getByRole("button", { name: clearName }).click();
  await expect(bar.getByLabel("Search")).toHaveValue("");
  await expect(bar.getByLabel(select.label, { exact: true })).toHaveValue("");
  await expectQuery(page, {});

  // Back brings the filters into the fields again, forward takes them out.
  await page.goBack();
  await expect(bar.getByLabel("Search")).toHaveValue("zz-odd");
  await expect(bar.getByLabel(select.label, { exact: true })).toHaveValue(select.value);
  await page.goForward();
  await expect(bar.getByLabel("Search")).toHaveValue("");

  // Typed, then cleared before the search went out: the search is dropped, not applied later.
  await bar.getByLabel(select.label, { exact: true }).selectOption(select.value);
  await bar.getByLabel("Search").pressSequentially("late", { delay: 10 });
  await bar.getByRole("button", { name: clearName }).click();
  await page.waitForTimeout(700);
  await expect(bar.getByLabel("Search")).toHaveValue("");
  await expectQuery(page, {});
}

test.describe("filter bars show what they apply", () => {
  test.use({ storageState: storageFor("auditor"), timezoneId: "Europe/Paris" });
  // Each test walks several pages (each first load fetches its panel's chunk): slow machines too.
  test.setTimeout(240_000);

  test("audit: an invalid period blocks Apply in words; Clear clears it all; the URL fills the fields", async ({
    page,
  }) => {
    await page.goto("/audit");
    await expect(page.getByRole("status", { name: "Chain verification" })).toBeVisible();
    const form = page.getByRole("form", { name: "Audit filters" });
    const field = (label: string) => form.getByLabel(label, { exact: true });
    const table = page.getByRole("table", { name: "Audit events" });

    await field("Actor").fill("nobody@nowhere");
    await field("From").fill("2026-12-02T10:00");
    await field("To").fill("2026-12-01T10:00");
    await expect(form.getByText("From must not be after To")).toBeVisible();
    await expect(form.getByRole("status")).toHaveText(NOT_APPLIED);
    await form.getByRole("button", { name: "Apply filters" }).click();
    await expect(field("From")).toBeFocused();
    await expect(field("From")).toHaveAttribute("aria-invalid", "true");
    await page.screenshot({ path: "/tmp/shots/audit-filters-refused.png" });
    // The reversed period never goes out (what was valid before To was typed may have: it is shown).
    await page.waitForTimeout(800);
    expect(query(page).to).toBeUndefined();

    await form.getByRole("button", { name: "Clear" }).click();
    for (const label of ["Actor", "From", "To"]) await expect(field(label)).toHaveValue("");
    await expect(form.getByText("From must not be after To")).toHaveCount(0);
    await expect(form.getByText(NOT_APPLIED)).toHaveCount(0);
    await expectQuery(page, {});

    // What is typed is what is applied: an actor nobody is matches nothing.
    await field("Actor").fill("nobody@nowhere");
    await expectQuery(page, { actor: "nobody@nowhere" });
    await expect(page.getByText("No events match these filters")).toBeVisible();

    // A hand-edited URL: every filter it holds is in a field, a malformed date named under its field.
    await page.goto("/audit?action=auth.login&entityType=user&from=garbage");
    await expect(field("Action")).toHaveValue("auth.login");
    await expect(field("Entity type")).toHaveValue("user");
    await expect(form.getByText("“garbage” is not a date and time")).toBeVisible();
    await expect(form.getByRole("status")).toHaveText(NOT_APPLIED);
    await page.goto("/audit?to=20266-01-01T00:00");
    await expect(form.getByText("Choose a year from 1 to 9999")).toBeVisible();
    await field("To").fill("2026-12-01T10:00");
    await expect(form.getByText(NOT_APPLIED)).toHaveCount(0);
    await expect.poll(() => query(page).to).toBe(new Date("2026-12-01T10:00:00+01:00").toISOString());

    // Back and forward bring the fields along.
    await page.goto("/audit?action=auth.login");
    await field("Action").fill("users.");
    await form.getByRole("button", { name: "Apply filters" }).click();
    await expectQuery(page, { action: "users." });
    await page.goBack();
    await expect(field("Action")).toHaveValue("auth.login");
    await expect(table.locator("tbody code").first()).toHaveText(/^auth\.login/);
    await page.goForward();
    await expect(field("Action")).toHaveValue("users.");
  });

  test("analytics: a reversed or out-of-range period is refused in words, Clear clears it, dates alone mean custom", async ({
    page,
  }) => {
    await page.goto("/analytics?range=custom&from=2026-12-05&to=2026-12-01");
    const bar = page.getByRole("search", { name: "Analytics filters" });
    await expect(bar.getByLabel("From")).toHaveValue("2026-12-05");
    await expect(bar.getByText("From must not be after To")).toBeVisible();
    await expect(bar.getByRole("status")).toHaveText(NOT_APPLIED);
    await bar.getByRole("button", { name: "Apply dates" }).click();
    await expect(bar.getByLabel("From")).toBeFocused();

    await bar.getByRole("button", { name: "Clear" }).click();
    await expect(bar.getByLabel("Period")).toHaveValue("90");
    await expect(bar.getByLabel("From")).toHaveCount(0);
    await expect(bar.getByText("From must not be after To")).toHaveCount(0);
    await expectQuery(page, {});

    await page.goto("/analytics?range=custom&from=1999-12-01&to=2026-01-01");
    await expect(bar.getByText("Choose a year from 2000 to 2999")).toBeVisible();

    // Dates without a range (an older link): a custom period, shown and applied, never ignored.
    await page.goto("/analytics?from=2020-01-01&to=2020-01-31");
    await expect(bar.getByLabel("Period")).toHaveValue("custom");
    await expect(bar.getByLabel("From")).toHaveValue("2020-01-01");
    await expect(page.getByText("No shares or imports in this period")).toBeVisible();

    // A valid change applies on its own; back brings the previous dates into the fields.
    await bar.getByLabel("To").fill("2020-02-29");
    await expect.poll(() => query(page).to).toBe("2020-02-29");
    await page.goBack();
    await expect(bar.getByLabel("To")).toHaveValue("2020-01-31");
  });

  test("sessions, shares, inbox and reviews: the URL fills the fields, Clear empties them, back/forward follow", async ({
    page,
  }) => {
    await searchBar(page, "/shares", page.getByRole("search", { name: "Share filters" }), {
      label: "State",
      value: "revoked",
    });
    await searchBar(page, "/inbox", page.getByRole("search", { name: "Inbox filters" }), {
      label: "State",
      value: "failed",
    });
    await searchBar(page, "/reviews", page.getByRole("search", { name: "Review filters" }), {
      label: "Kind",
      value: "business",
    });
    await searchBar(
      page,
      "/sessions",
      page.getByRole("search", { name: "Session filters" }),
      { label: "Kind", value: "business" },
      "Clear filters",
    );

    // An application in the URL is shown (and applied) even when there is no choice to offer.
    const app = randomUUID();
    await page.goto(`/sessions?applicationId=${app}`);
    await expect(
      page.getByRole("search", { name: "Session filters" }).getByLabel("Application", { exact: true }),
    ).toHaveValue(app);
  });

  test("recalls: the state in the URL is the one shown; one this side does not have leaves the URL", async ({
    page,
  }) => {
    await page.goto("/recalls?tab=received&state=cleared");
    await expect(page.getByLabel("State")).toHaveValue("cleared");
    await page.goto("/recalls?tab=received&state=failed");
    await expect.poll(() => query(page)).toEqual({ tab: "received" });
    await expect(page.getByLabel("State")).toHaveValue("");
  });
});
