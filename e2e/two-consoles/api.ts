import {
  expect,
  type APIRequestContext,
  type APIResponse,
  type PlaywrightWorkerArgs,
} from "@playwright/test";
import { ROLE_USERS, type E2ERole } from "../users";
import type { Console } from "./consoles";

type Playwright = PlaywrightWorkerArgs["playwright"];

/** What the two-console spec calls over HTTP: signed-in API contexts and the sandbox admin API. */

/** The response's JSON once its status is `status` (the body in the message otherwise). */
export async function expectJson<T>(res: APIResponse, status: number, what: string): Promise<T> {
  const text = await res.text();
  expect(res.status(), `${what}: ${text.slice(0, 1000)}`).toBe(status);
  return (text ? JSON.parse(text) : null) as T;
}

/**
 * An API context of `console` signed in as `role` through Auth.js's credentials callback (the
 * form the sign-in page posts), its cookies kept in the context.
 */
export async function signIn(
  playwright: Playwright,
  console: Console,
  role: E2ERole,
): Promise<APIRequestContext> {
  const api = await playwright.request.newContext({ baseURL: console.origin });
  const { csrfToken } = await expectJson<{ csrfToken: string }>(
    await api.get("/api/auth/csrf"),
    200,
    `csrf at ${console.name}`,
  );
  const res = await api.post("/api/auth/callback/credentials", {
    form: {
      csrfToken,
      email: ROLE_USERS[role].email,
      password: ROLE_USERS[role].password,
      callbackUrl: `${console.origin}/`,
    },
    maxRedirects: 0,
  });
  expect([302, 303], `sign-in of ${role} at ${console.name}`).toContain(res.status());
  expect(res.headers()["location"] ?? "", `sign-in of ${role} at ${console.name}`).not.toContain("error");
  const session = await expectJson<{ user?: { email: string } } | null>(
    await api.get("/api/auth/session"),
    200,
    `session of ${role} at ${console.name}`,
  );
  expect(session?.user?.email).toBe(ROLE_USERS[role].email);
  return api;
}

export type SandboxApp = {
  application_id: string;
  api_key: string;
  workflows: { user: string; business: string };
};

/** A new application in X's sandbox (its key is Y's to connect). */
export async function createSandboxApp(
  playwright: Playwright,
  x: Console,
  name: string,
): Promise<SandboxApp> {
  const api = await playwright.request.newContext({ baseURL: x.origin });
  try {
    return await expectJson<SandboxApp>(
      await api.post("/sandbox/admin/applications", {
        headers: { authorization: `Bearer ${x.sandboxAdminToken}` },
        data: { name, profile: "recipe" },
      }),
      201,
      "sandbox application",
    );
  } finally {
    await api.dispose();
  }
}

/** A session's decision as Didit (X's sandbox) holds it, read with the owner's key. */
export async function diditDecision(
  playwright: Playwright,
  x: Console,
  apiKey: string,
  sessionId: string,
): Promise<{ status: string } & Record<string, unknown>> {
  const api = await playwright.request.newContext({ baseURL: x.origin });
  try {
    return await expectJson(
      await api.get(`/sandbox/v3/session/${sessionId}/decision/`, { headers: { "x-api-key": apiKey } }),
      200,
      "decision at Didit",
    );
  } finally {
    await api.dispose();
  }
}

/**
 * Changes a session's status at Didit (X's sandbox) as Didit's console would: with a fresh key of
 * the session's own sandbox application, minted through the sandbox admin API. Didit then sends
 * its signed status.updated webhook to the application's registered destination.
 */
export async function setDiditStatus(
  playwright: Playwright,
  x: Console,
  diditApplicationId: string,
  sessionId: string,
  newStatus: "Approved" | "Declined" | "In Review",
): Promise<void> {
  const api = await playwright.request.newContext({ baseURL: x.origin });
  try {
    const { api_key } = await expectJson<{ api_key: string }>(
      await api.post(`/sandbox/admin/applications/${diditApplicationId}/keys`, {
        headers: { authorization: `Bearer ${x.sandboxAdminToken}` },
        data: { privileges: ["read:sessions", "write:sessions"] },
      }),
      201,
      "a key of the sandbox application",
    );
    await expectJson(
      await api.patch(`/sandbox/v3/session/${sessionId}/update-status/`, {
        headers: { "x-api-key": api_key },
        data: { new_status: newStatus },
      }),
      200,
      `${newStatus} at Didit`,
    );
  } finally {
    await api.dispose();
  }
}
