import { expect, test, type APIRequestContext } from "@playwright/test";

/**
 * Black-box checks of the Didit sandbox over real HTTP against `next start`: Didit's paths with
 * their trailing slashes, both profiles, share → import → duplicate, the clock.
 */
const admin = { authorization: `Bearer ${process.env.E2E_SANDBOX_ADMIN_TOKEN}` };

type App = { application_id: string; api_key: string; workflows: { user: string; business: string } };

async function createApp(request: APIRequestContext, name: string, profile: "recipe" | "spec"): Promise<App> {
  const res = await request.post("/sandbox/admin/applications", { headers: admin, data: { name, profile } });
  expect(res.status()).toBe(201);
  return (await res.json()) as App;
}

async function createSession(
  request: APIRequestContext,
  app: App,
  kind: "user" | "business",
  status: string,
) {
  const res = await request.post("/sandbox/admin/sessions", {
    headers: admin,
    data: { application_id: app.application_id, session_kind: kind, status },
  });
  expect(res.status()).toBe(201);
  return (await res.json()) as { session_id: string; status: string };
}

test.afterEach(async ({ request }) => {
  await request.post("/sandbox/admin/clock", { headers: admin, data: { offset_seconds: 0 } });
});

for (const profile of ["recipe", "spec"] as const) {
  test(`${profile}: share and import a KYC session, then refuse the duplicate`, async ({ request }) => {
    const x = await createApp(request, `Service X ${profile}`, profile);
    const y = await createApp(request, `Service Y ${profile}`, profile);
    const source = await createSession(request, x, "user", "Approved");

    const share = await request.post(`/sandbox/v3/session/${source.session_id}/share/`, {
      headers: { "x-api-key": x.api_key },
      data: { for_application_id: y.application_id, ttl_in_seconds: 600 },
      maxRedirects: 0,
    });
    expect(share.status()).toBe(profile === "recipe" ? 201 : 200);
    const shared = (await share.json()) as {
      share_token: string;
      for_application_id: string;
      session_kind: string;
    };
    expect(shared).toMatchObject({ for_application_id: y.application_id, session_kind: "user" });
    const claims = JSON.parse(
      Buffer.from(shared.share_token.split(".")[1]!, "base64url").toString(),
    ) as Record<string, unknown>;
    expect(Object.keys(claims).sort()).toEqual([
      "exp",
      "for_application_id",
      "from_application_id",
      "iat",
      "session_id",
      "session_kind",
    ]);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(600);

    const body = {
      share_token: shared.share_token,
      workflow_id: y.workflows.user,
      vendor_data: "partner-user-42",
      trust_review: false,
    };
    const imported = await request.post("/sandbox/v3/session/import-shared/", {
      headers: { "x-api-key": y.api_key },
      data: body,
    });
    expect(imported.status()).toBe(201);
    const clone = (await imported.json()) as Record<string, unknown>;
    expect(clone).toMatchObject({
      status: "In Review",
      shared_from_session: source.session_id,
      vendor_data: "partner-user-42",
      session_kind: "user",
    });
    expect(clone.session_id).not.toBe(source.session_id);
    expect(clone).toHaveProperty(profile === "recipe" ? "proof_of_address" : "poa_verifications");

    const again = await request.post("/sandbox/v3/session/import-shared/", {
      headers: { "x-api-key": y.api_key },
      data: body,
    });
    expect(again.status()).toBe(403);

    const decision = await request.get(`/sandbox/v3/session/${clone.session_id as string}/decision/`, {
      headers: { "x-api-key": y.api_key },
    });
    expect(decision.status()).toBe(200);
    expect(await decision.json()).toMatchObject({ shared_from_session: source.session_id });
  });

  test(`${profile}: an expired token is refused (sandbox clock)`, async ({ request }) => {
    const x = await createApp(request, `Clock X ${profile}`, profile);
    const y = await createApp(request, `Clock Y ${profile}`, profile);
    const source = await createSession(request, x, "business", "Declined");
    const share = await request.post(`/sandbox/v3/session/${source.session_id}/share/`, {
      headers: { "x-api-key": x.api_key },
      data: { for_application_id: y.application_id, ttl_in_seconds: 60 },
    });
    const { share_token, session_kind } = (await share.json()) as {
      share_token: string;
      session_kind: string;
    };
    expect(session_kind).toBe("business");
    await request.post("/sandbox/admin/clock", { headers: admin, data: { offset_seconds: 61 } });
    const res = await request.post("/sandbox/v3/session/import-shared/", {
      headers: { "x-api-key": y.api_key },
      data: { share_token, workflow_id: y.workflows.business, trust_review: true },
    });
    if (profile === "recipe") expect(res.status()).toBe(401);
    else {
      expect(res.status()).toBe(400);
      expect(await res.json()).toEqual({ share_token: ["Share token has expired."] });
    }
  });
}

test("a missing key is 401 on share and 403 elsewhere; unknown sandbox paths are JSON 404s", async ({
  request,
}) => {
  const id = "00000000-0000-4000-8000-000000000000";
  const share = await request.post(`/sandbox/v3/session/${id}/share/`, { data: { for_application_id: id } });
  expect(share.status()).toBe(401);
  const list = await request.get("/sandbox/v3/sessions/");
  expect(list.status()).toBe(403);
  expect(await list.json()).toEqual({ detail: "You do not have permission to perform this action." });
  expect(list.headers()["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  const unknown = await request.get("/sandbox/v3/nothing-here/");
  expect(unknown.status()).toBe(404);
  const noAdmin = await request.post("/sandbox/admin/applications", { data: { name: "x" } });
  expect(noAdmin.status()).toBe(401);
});

test("lists are paginated with absolute next links, newest first", async ({ request }) => {
  const x = await createApp(request, "Lister", "recipe");
  for (const status of ["Approved", "Declined", "In Review"]) await createSession(request, x, "user", status);
  const res = await request.get("/sandbox/v3/sessions/?limit=2", { headers: { "x-api-key": x.api_key } });
  expect(res.status()).toBe(200);
  const page = (await res.json()) as {
    count: number;
    next: string | null;
    previous: string | null;
    results: { status: string }[];
  };
  expect(page.count).toBe(3);
  expect(page.results.map((r) => r.status)).toEqual(["In Review", "Declined"]);
  expect(page.next).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sandbox\/v3\/sessions\/\?.*offset=2/);
  expect(page.previous).toBeNull();
});

test("webhook destinations list as Didit's bare array, oldest first, secrets only on create and single GET", async ({
  request,
}) => {
  const x = await createApp(request, "Hooks", "recipe");
  const headers = { "x-api-key": x.api_key };
  const created: { uuid: string; secret_shared_key: string }[] = [];
  for (const url of ["https://hooks.example.com/a", "https://hooks.example.com/b"]) {
    const res = await request.post("/sandbox/v3/webhook/destinations/", {
      headers,
      data: { label: "Console", url, subscribed_events: ["status.updated"] },
    });
    expect(res.status()).toBe(201);
    created.push((await res.json()) as { uuid: string; secret_shared_key: string });
  }
  const list = await request.get("/sandbox/v3/webhook/destinations/?limit=1", { headers });
  expect(list.status()).toBe(200);
  const rows = (await list.json()) as Record<string, unknown>[];
  expect(rows.map((r) => r.uuid)).toEqual(created.map((c) => c.uuid));
  expect(rows.every((r) => !("secret_shared_key" in r))).toBe(true);
  const one = await request.get(`/sandbox/v3/webhook/destinations/${created[0]!.uuid}/`, { headers });
  expect(await one.json()).toMatchObject({ secret_shared_key: created[0]!.secret_shared_key });
});

test("bad input gets DRF 4xx, never a 5xx: NUL, dates out of range, undecodable paths", async ({
  request,
}) => {
  const x = await createApp(request, "Bad input", "recipe");
  const headers = { "x-api-key": x.api_key };
  const nul = await request.get("/sandbox/v3/sessions/?search=a%00b", { headers });
  expect(nul.status()).toBe(400);
  expect(await nul.json()).toEqual({ search: ["Null characters are not allowed."] });
  const date = await request.get("/sandbox/v3/sessions/?date_from=275760-09-13", { headers });
  expect(date.status()).toBe(400);
  expect(await date.json()).toEqual({ date_from: ["Enter a valid date."] });
  const label = await request.post("/sandbox/v3/webhook/destinations/", {
    headers,
    data: { label: "a\u0000b", url: "https://hooks.example.com/nul", subscribed_events: ["status.updated"] },
  });
  expect(label.status()).toBe(400);
  expect(await label.json()).toEqual({ label: ["Null characters are not allowed."] });
  for (const path of ["/sandbox/v3/session/%ff%fe/decision/", "/sandbox/v3/%ff/", "/sandbox/media/%ff.png"]) {
    const res = await request.get(path, { headers });
    expect(res.status(), path).toBe(404);
    expect(await res.json()).toEqual({ detail: "Not found." });
  }
});
