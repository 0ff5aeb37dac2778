// Screenshots of issue 7's pages in Chromium for a human look, and what the browser console says.
// Usage: BB_BASE=http://127.0.0.1:3917 node test/blackbox/pages.mjs  (screenshots in BB_SHOTS)
import { mkdirSync, writeFileSync } from "node:fs";
import { chromium } from "@playwright/test";

const BASE = process.env.BB_BASE ?? "http://127.0.0.1:3917";
const OUT = process.env.BB_SHOTS ?? "/tmp/h7/shots";
mkdirSync(OUT, { recursive: true });
const ROLES = {
  admin: ["admin@handoff.local", "handoff-admin"],
  partnerships: ["partnerships@handoff.local", "handoff-partnerships"],
  officer: ["officer@handoff.local", "handoff-officer"],
  auditor: ["auditor@handoff.local", "handoff-auditor"],
};
const notes = [];
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});

async function signedIn(role) {
  const context = await browser.newContext({ baseURL: BASE, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning")
      notes.push(`[${role}] console ${m.type()} ${page.url()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => notes.push(`[${role}] pageerror ${page.url()}: ${e.message}`));
  page.on("response", (r) => {
    if (r.status() >= 500) notes.push(`[${role}] ${r.status()} ${r.url()}`);
  });
  await page.goto("/login");
  await page.getByLabel("Email").fill(ROLES[role][0]);
  await page.getByLabel("Password").fill(ROLES[role][1]);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
  return page;
}

async function shot(page, name, { full = true } = {}) {
  await page.waitForLoadState("networkidle").catch(() => {});
  await page.waitForTimeout(600);
  await page.screenshot({ path: `${OUT}/${name}.png`, fullPage: full });
  console.log(`shot ${name} ${page.url()}`);
}

// Officer: picker, drawer, wizard steps, shares.
{
  const page = await signedIn("officer");
  await page.goto("/sessions");
  await page.getByRole("table", { name: "Sessions" }).waitFor();
  await shot(page, "officer-sessions");
  await page.goto("/sessions?status=Approved&kind=user");
  await page.getByRole("table", { name: "Sessions" }).waitFor();
  const open = page
    .getByRole("table", { name: "Sessions" })
    .getByRole("button", { name: /^Open session #/ })
    .first();
  await open.click();
  const drawer = page.getByRole("dialog").first();
  await drawer.waitFor();
  await page.waitForTimeout(1500);
  await shot(page, "officer-session-drawer", { full: false });
  const share = drawer.getByRole("button", { name: "Share with a partner" });
  if (await share.isVisible()) {
    await share.click();
    const wizard = page.getByRole("dialog", { name: /^Share session/ });
    await wizard.waitFor();
    await page.waitForTimeout(1000);
    await shot(page, "officer-wizard-1-partner", { full: false });
    const radios = wizard.getByRole("radio");
    const n = await radios.count();
    for (let i = 0; i < n; i++) {
      const r = radios.nth(i);
      if (await r.isEnabled()) {
        await r.check();
        break;
      }
    }
    await wizard.getByRole("button", { name: /^Next: lifetime/ }).click();
    await page.waitForTimeout(500);
    await shot(page, "officer-wizard-2-lifetime", { full: false });
    await wizard.getByRole("button", { name: /^Next: summary/ }).click();
    await page.waitForTimeout(500);
    await shot(page, "officer-wizard-3-summary", { full: false });
    await wizard.getByRole("button", { name: "Confirm and share" }).click();
    await page.waitForTimeout(2500);
    await shot(page, "officer-wizard-4-result", { full: false });
    const link = wizard.getByRole("link", { name: "Open the share" });
    if (await link.isVisible()) {
      await link.click();
      await page.waitForURL(/\/shares\//);
      await shot(page, "officer-share-detail");
    }
  } else notes.push("officer: no Share button in the drawer of the first session");
  // A Declined session: the partners it may not go to, with the reason.
  await page.goto("/sessions?status=Declined");
  await page.getByRole("table", { name: "Sessions" }).waitFor();
  await page
    .getByRole("table", { name: "Sessions" })
    .getByRole("button", { name: /^Open session #/ })
    .first()
    .click();
  const declinedShare = page
    .getByRole("dialog")
    .first()
    .getByRole("button", { name: "Share with a partner" });
  if (await declinedShare.isVisible().catch(() => false)) {
    await declinedShare.click();
    await page.waitForTimeout(1500);
    await shot(page, "officer-wizard-declined-partner", { full: false });
    await page.keyboard.press("Escape");
  }
  await page.goto("/shares");
  await shot(page, "officer-shares");
  // A manual share's page (reveal button) and a revoked one, when the HTTP suite made them.
  await page.goto("/shares?channel=manual");
  await shot(page, "officer-shares-manual");
  const firstManual = page.getByRole("link", { name: /#\d+|BB manual/ }).first();
  if (await firstManual.isVisible().catch(() => false)) {
    await firstManual.click();
    await page.waitForURL(/\/shares\//);
    await shot(page, "officer-share-manual-detail");
  }
  await page.goto("/partners");
  await shot(page, "officer-partners");
  await page.goto("/sessions?q=zzzzzzzzzzzz");
  await shot(page, "officer-sessions-empty");
  await page.goto("/applications");
  await shot(page, "officer-applications");
  await page.context().close();
}

// Partnerships: partners list, a partner's page, new partner form.
{
  const page = await signedIn("partnerships");
  await page.goto("/partners");
  await shot(page, "partnerships-partners");
  const link = page.getByRole("link", { name: "Northwind Pay" }).first();
  if (await link.isVisible().catch(() => false)) {
    await link.click();
    await page.waitForURL(/\/partners\/[0-9a-f-]{36}/);
    await shot(page, "partnerships-partner-detail");
  }
  await page.goto("/partners/new");
  await shot(page, "partnerships-partner-new");
  await page
    .getByRole("button", { name: /Create|Save|Add partner/ })
    .first()
    .click()
    .catch(() => notes.push("no submit on /partners/new"));
  await page.waitForTimeout(800);
  await shot(page, "partnerships-partner-new-errors");
  await page.goto("/applications");
  await shot(page, "partnerships-applications");
  await page.goto("/shares");
  await shot(page, "partnerships-shares");
  await page.context().close();
}

// Admin: applications.
{
  const page = await signedIn("admin");
  await page.goto("/applications");
  await shot(page, "admin-applications");
  await page.goto("/sessions");
  await shot(page, "admin-sessions");
  await page.context().close();
}

// Auditor: sessions (no Share), shares.
{
  const page = await signedIn("auditor");
  await page.goto("/sessions");
  await page.getByRole("table", { name: "Sessions" }).waitFor();
  const open = page
    .getByRole("table", { name: "Sessions" })
    .getByRole("button", { name: /^Open session #/ })
    .first();
  await open.click();
  await page.waitForTimeout(1500);
  await shot(page, "auditor-session-drawer", { full: false });
  if (
    await page
      .getByRole("button", { name: "Share with a partner" })
      .isVisible()
      .catch(() => false)
  )
    notes.push("auditor sees Share");
  await page.goto("/shares");
  await shot(page, "auditor-shares");
  await page.context().close();
}

await browser.close();
writeFileSync(`${OUT}/notes.txt`, notes.join("\n") + "\n");
console.log(notes.join("\n") || "no console errors");
