import { randomBytes } from "node:crypto";
import { expect, type APIRequestContext, type Browser } from "@playwright/test";
import { ChangePasswordPage } from "./pages/change-password-page";
import { LoginPage } from "./pages/login-page";
import { storageFor } from "./users";

type App = { id: string; name: string };
export type SessionItem = {
  sessionId: string;
  number: number | null;
  status: string;
  kind: "user" | "business";
};

/**
 * The demo connects the sandbox's Northwind applications and fills the session mirror with a sync
 * job after start: wait until one of Northwind Bank's KYC sessions of that status is mirrored.
 */
export async function mirroredSession(
  request: APIRequestContext,
  appName: string,
  status: string,
  kind: "user" | "business" = "user",
) {
  let app: App | undefined;
  let session: SessionItem | undefined;
  await expect
    .poll(
      async () => {
        const apps = (await (await request.get("/api/applications")).json()) as { items?: App[] };
        app = apps.items?.find((a) => a.name === appName);
        if (!app) return "no application yet";
        const res = await request.get(
          `/api/sessions?applicationId=${app.id}&kind=${kind}&status=${encodeURIComponent(status)}&limit=5`,
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

/** Shares an approved Northwind Bank KYC session with Northwind Pay (internal: straight into our inbox). */
export async function shareBankToPay(request: APIRequestContext, kind: "user" | "business" = "user") {
  const { session } = await mirroredSession(request, "Northwind Bank", "Approved", kind);
  const eligible = (await (await request.get(`/api/partners?eligibleFor=${session.sessionId}`)).json()) as {
    items: { partner: { id: string; name: string }; eligible: boolean }[];
  };
  const pay = eligible.items.find((i) => i.partner.name === "Northwind Pay" && i.eligible);
  expect(pay, "Northwind Pay is eligible for an approved Northwind Bank session").toBeTruthy();
  const res = await request.post("/api/shares", {
    data: { sessionId: session.sessionId, partnerId: pay!.partner.id, ttlSeconds: 900 },
  });
  expect(res.status()).toBe(201);
  const share = (await res.json()) as { id: string };
  return { shareId: share.id, session };
}

/** The inbox item an internal share delivered (found by the sender's share id). */
export async function inboxItemOf(request: APIRequestContext, shareId: string) {
  let itemId = "";
  await expect
    .poll(
      async () => {
        const body = (await (await request.get(`/api/inbox?q=${shareId}`)).json()) as {
          items?: { id: string; senderShareId: string | null }[];
        };
        itemId = body.items?.find((i) => i.senderShareId === shareId)?.id ?? "";
        return itemId;
      },
      { timeout: 30_000 },
    )
    .not.toBe("");
  return itemId;
}

/** A share imported over the API with trust_review off: an import whose clone is In Review. */
export async function importInReview(request: APIRequestContext, kind: "user" | "business" = "user") {
  const { shareId, session } = await shareBankToPay(request, kind);
  const itemId = await inboxItemOf(request, shareId);
  const res = await request.post(`/api/inbox/${itemId}/import`, { data: { trustReview: false } });
  expect(res.status(), await res.text()).toBe(201);
  const imported = (await res.json()) as { id: string; cloneSessionId: string; statusAtImport: string };
  expect(imported.statusAtImport).toBe("In Review");
  return { importId: imported.id, cloneSessionId: imported.cloneSessionId, shareId, session };
}

/**
 * A second compliance officer, made through the admin API (its one-time password changed at the
 * first sign-in, as a person would): a signed-in browser context of its own.
 */
export async function secondOfficer(browser: Browser, name: string) {
  const admin = await browser.newContext({ storageState: storageFor("admin") });
  const email = `officer.${Date.now().toString(36)}.${randomBytes(3).toString("hex")}@handoff.local`;
  const res = await admin.request.post("/api/users", { data: { email, name, role: "officer" } });
  expect(res.status(), await res.text()).toBe(201);
  const created = (await res.json()) as { user: { id: string }; initialPassword: string };
  await admin.close();

  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  const login = new LoginPage(page);
  await login.goto();
  await login.signIn(email, created.initialPassword);
  const change = new ChangePasswordPage(page);
  await change.expectShown();
  await change.change(created.initialPassword, `${name.toLowerCase()}'s own long passphrase`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(`Welcome, ${name}`);
  return { id: created.user.id, email, name, context, page };
}

/** Turns four eyes on or off for an import's partner, as the partnerships user. */
export async function setFourEyes(browser: Browser, partnerId: string, requireFourEyes: boolean) {
  const manager = await browser.newContext({ storageState: storageFor("partnerships") });
  const res = await manager.request.patch(`/api/partners/${partnerId}`, { data: { requireFourEyes } });
  expect(res.status(), await res.text()).toBe(200);
  await manager.close();
}
