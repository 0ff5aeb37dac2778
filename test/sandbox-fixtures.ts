import { decodeJwt, SignJWT } from "jose";
import { afterAll, beforeAll, expect } from "vitest";
import { getEnv } from "@/lib/env";
import { createTestDatabase, type TestDatabase } from "./database";
import { sandboxClient, startSandboxServer, type HttpResult, type SandboxServer } from "./sandbox-http";

/** Helpers for the sandbox's HTTP contract suites: everything goes over real HTTP via the admin API. */

export type Profile = "recipe" | "spec";
export type Kind = "user" | "business";
export type TestApp = {
  id: string;
  key: string;
  workflows: { user: string; business: string };
  profile: Profile;
};

export const PROFILES: Profile[] = ["recipe", "spec"];
export const KINDS: Kind[] = ["user", "business"];
export const STATUSES = [
  "Not Started",
  "In Progress",
  "Awaiting User",
  "In Review",
  "Approved",
  "Declined",
  "Resubmitted",
  "Expired",
  "Kyc Expired",
  "Abandoned",
] as const;
export type Status = (typeof STATUSES)[number];
export const FINISHED: Status[] = ["Approved", "Declined", "In Review"];
export const UNFINISHED = STATUSES.filter((s) => !FINISHED.includes(s));

export const PERMISSION_DENIED = { detail: "You do not have permission to perform this action." };
export const NOT_FOUND = { detail: "Not found." };
export const FINISHED_ONLY = {
  detail: ['Only finished sessions ("Approved", "Declined", "In Review") can be shared.'],
};

/** Statuses on the wire (didit-api.md §2, §7): KYB is UPPER_SNAKE in the recipe profile only. */
export function wireStatus(kind: Kind, status: Status, profile: Profile): string {
  return kind === "business" && profile === "recipe" ? status.toUpperCase().replace(/ /g, "_") : status;
}

/** The import error table of didit-api.md §4, per profile. */
export const IMPORT_ERRORS: Record<Profile, Record<string, { status: number; body: unknown }>> = {
  recipe: {
    invalid: { status: 401, body: { detail: "Invalid share token." } },
    expired: { status: 401, body: { detail: "Share token has expired." } },
    wrongApp: { status: 403, body: { detail: "This token is not valid for this application." } },
    already: { status: 403, body: { detail: "This session has already been shared with your application." } },
    sourceDeleted: { status: 404, body: { detail: "Original session does not exist." } },
    workflow: { status: 404, body: { detail: "Workflow does not exist for this application." } },
  },
  spec: {
    invalid: { status: 400, body: { share_token: ["Invalid share token."] } },
    expired: { status: 400, body: { share_token: ["Share token has expired."] } },
    wrongApp: { status: 400, body: { share_token: ["This token is not valid for this application."] } },
    already: { status: 403, body: { detail: "This session has already been shared with your application." } },
    sourceDeleted: { status: 400, body: { share_token: ["Original session does not exist."] } },
    workflow: { status: 404, body: { detail: "Workflow does not exist for this application." } },
  },
};

export const KYC_FEATURES: Record<Profile, string[]> = {
  recipe: [
    "id_verifications",
    "liveness_checks",
    "face_matches",
    "aml_screenings",
    "database_validations",
    "proof_of_address",
    "location_checks",
    "phone_verifications",
    "email_verifications",
  ],
  spec: [
    "id_verifications",
    "liveness_checks",
    "face_matches",
    "aml_screenings",
    "database_validations",
    "poa_verifications",
    "ip_analyses",
    "phone_verifications",
    "email_verifications",
  ],
};
export const KYB_FEATURES = [
  "registry_checks",
  "key_people_checks",
  "document_verifications",
  "aml_screenings",
  "questionnaires",
];
export const featureKeysOf = (kind: Kind, profile: Profile) =>
  kind === "user" ? KYC_FEATURES[profile] : KYB_FEATURES;

export function sandboxApi(origin: string) {
  const call = sandboxClient(origin);
  const adminToken = getEnv().SANDBOX_ADMIN_TOKEN!;
  const admin = (method: string, path: string, body?: unknown) =>
    call(method, `/sandbox/admin${path}`, { admin: adminToken, body });

  let counter = 0;
  async function newApp(profile: Profile, name = `app-${++counter}`): Promise<TestApp> {
    const res = await admin("POST", "/applications", { name, profile });
    expect(res.status, res.text).toBe(201);
    const body = res.body as { application_id: string; api_key: string; workflows: TestApp["workflows"] };
    return { id: body.application_id, key: body.api_key, workflows: body.workflows, profile };
  }

  async function newKey(appId: string, privileges: string[]): Promise<string> {
    const res = await admin("POST", `/applications/${appId}/keys`, { privileges });
    expect(res.status, res.text).toBe(201);
    return (res.body as { api_key: string }).api_key;
  }

  async function newSession(
    app: TestApp,
    kind: Kind,
    status: Status,
    extra: { vendor_data?: string; seed?: string } = {},
  ): Promise<Record<string, unknown> & { session_id: string }> {
    const res = await admin("POST", "/sessions", {
      application_id: app.id,
      session_kind: kind,
      status,
      ...extra,
    });
    expect(res.status, res.text).toBe(201);
    return res.body as Record<string, unknown> & { session_id: string };
  }

  async function setClock(offsetSeconds: number) {
    const res = await admin("POST", "/clock", { offset_seconds: offsetSeconds });
    expect(res.status, res.text).toBe(200);
  }

  const share = (key: string | null, sessionId: string, body: unknown): Promise<HttpResult> =>
    call("POST", `/sandbox/v3/session/${sessionId}/share/`, { key, body });
  const importShared = (key: string | null, body: unknown): Promise<HttpResult> =>
    call("POST", "/sandbox/v3/session/import-shared/", { key, body });
  const decision = (key: string, id: string) => call("GET", `/sandbox/v3/session/${id}/decision/`, { key });

  /** Mints a token for `session` of `from`, for `to`; asserts success. */
  async function mint(from: TestApp, sessionId: string, to: TestApp, ttl?: number): Promise<string> {
    const res = await share(from.key, sessionId, {
      for_application_id: to.id,
      ...(ttl === undefined ? {} : { ttl_in_seconds: ttl }),
    });
    expect(res.status, res.text).toBe(from.profile === "recipe" ? 201 : 200);
    return (res.body as { share_token: string }).share_token;
  }

  return {
    call,
    admin,
    adminToken,
    newApp,
    newKey,
    newSession,
    setClock,
    share,
    importShared,
    decision,
    mint,
  };
}

/** A token signed with the sandbox's secret but with claims of the test's choosing (legacy tokens). */
export async function signToken(claims: Record<string, unknown>, secret = getEnv().SANDBOX_JWT_SECRET!) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(secret));
}

export const claimsOf = (token: string) => decodeJwt(token);

export type SandboxHttpSuite = { t: TestDatabase; server: SandboxServer; api: ReturnType<typeof sandboxApi> };

/**
 * A suite over real HTTP: before its tests, a fresh test database and the sandbox served on
 * 127.0.0.1 with `sandboxApi` pointed at it; after them, both closed. Call it at the top of a test
 * file; the fields are set once its beforeAll has run (read them inside hooks and tests).
 */
export function sandboxHttpSuite(): SandboxHttpSuite {
  const suite: Partial<SandboxHttpSuite> = {};
  beforeAll(async () => {
    suite.t = await createTestDatabase();
    suite.server = await startSandboxServer();
    suite.api = sandboxApi(suite.server.origin);
  });
  afterAll(async () => {
    await suite.server?.close();
    await suite.t?.close();
  });
  return suite as SandboxHttpSuite;
}
