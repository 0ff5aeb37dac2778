import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { getEnv } from "@/lib/env";
import type { DbOrTx } from "@/lib/server/db/types";
import { sandboxApiKeys, sandboxApplications, sandboxWorkflows } from "@/lib/server/sandbox/schema";
import { PRIVILEGES, type Privilege, type SessionKind } from "@/lib/server/didit-wire";
import type { SandboxProfile } from "./types";

export type CreatedApplication = {
  application_id: string;
  api_key: string;
  workflows: { user: string; business: string };
};

export type ApplicationListItem = {
  application_id: string;
  name: string;
  profile: SandboxProfile;
  environment: "sandbox" | "live";
  created_at: string;
  workflows: { workflow_id: string; kind: SessionKind; name: string }[];
  api_keys: { last_four: string; privileges: string[]; created_at: string; revoked: boolean }[];
};

/** SHA-256 hex: the only form in which an API key is stored or looked up. */
export function apiKeyHash(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

function newApiKey(): string {
  return `sbx_${randomBytes(32).toString("base64url")}`;
}

/** Stores a fresh key for the application and returns it; the plaintext exists only in this answer. */
export async function createApiKey(
  db: DbOrTx,
  applicationId: string,
  privileges: Privilege[],
): Promise<string> {
  const key = newApiKey();
  await db.insert(sandboxApiKeys).values({
    applicationId,
    keyHash: apiKeyHash(key),
    lastFour: key.slice(-4),
    privileges: [...new Set(privileges)],
  });
  return key;
}

/** A new application with a key holding every privilege and one KYC and one KYB workflow. */
export async function createApplication(
  db: DbOrTx,
  input: { name: string; profile?: SandboxProfile },
): Promise<CreatedApplication> {
  const profile = input.profile ?? getEnv().SANDBOX_PROFILE;
  return db.transaction(async (tx) => {
    const [app] = await tx
      .insert(sandboxApplications)
      .values({ name: input.name, profile })
      .returning({ id: sandboxApplications.id });
    if (!app) throw new Error("application insert returned no row");
    const workflows = await tx
      .insert(sandboxWorkflows)
      .values([
        { applicationId: app.id, kind: "user", name: "KYC" },
        { applicationId: app.id, kind: "business", name: "KYB" },
      ])
      .returning({ id: sandboxWorkflows.id, kind: sandboxWorkflows.kind });
    const apiKey = await createApiKey(tx, app.id, [...PRIVILEGES]);
    return {
      application_id: app.id,
      api_key: apiKey,
      workflows: {
        user: workflows.find((w) => w.kind === "user")!.id,
        business: workflows.find((w) => w.kind === "business")!.id,
      },
    };
  });
}

/** A live (not soft-deleted) application, or null. */
export async function findApplication(db: DbOrTx, id: string) {
  const rows = await db
    .select()
    .from(sandboxApplications)
    .where(and(eq(sandboxApplications.id, id), isNull(sandboxApplications.deletedAt)));
  return rows[0] ?? null;
}

/** Soft delete: keys stop working, the application can no longer be a share target. False if unknown. */
export async function deleteApplication(db: DbOrTx, id: string): Promise<boolean> {
  const rows = await db
    .update(sandboxApplications)
    .set({ deletedAt: sql`now()` })
    .where(and(eq(sandboxApplications.id, id), isNull(sandboxApplications.deletedAt)))
    .returning({ id: sandboxApplications.id });
  return rows.length > 0;
}

export async function listApplications(db: DbOrTx): Promise<ApplicationListItem[]> {
  const apps = await db
    .select()
    .from(sandboxApplications)
    .where(isNull(sandboxApplications.deletedAt))
    .orderBy(asc(sandboxApplications.createdAt), asc(sandboxApplications.id));
  const workflows = await db.select().from(sandboxWorkflows).orderBy(asc(sandboxWorkflows.createdAt));
  const keys = await db
    .select({
      applicationId: sandboxApiKeys.applicationId,
      lastFour: sandboxApiKeys.lastFour,
      privileges: sandboxApiKeys.privileges,
      createdAt: sandboxApiKeys.createdAt,
      revokedAt: sandboxApiKeys.revokedAt,
    })
    .from(sandboxApiKeys)
    .orderBy(asc(sandboxApiKeys.createdAt));
  return apps.map((a) => ({
    application_id: a.id,
    name: a.name,
    profile: a.profile,
    environment: a.environment,
    created_at: a.createdAt.toISOString(),
    workflows: workflows
      .filter((w) => w.applicationId === a.id)
      .map((w) => ({ workflow_id: w.id, kind: w.kind, name: w.name })),
    api_keys: keys
      .filter((k) => k.applicationId === a.id)
      .map((k) => ({
        last_four: k.lastFour,
        privileges: k.privileges,
        created_at: k.createdAt.toISOString(),
        revoked: k.revokedAt !== null,
      })),
  }));
}

/** The application's first workflow of a kind: used when a request names none. */
export async function defaultWorkflow(db: DbOrTx, applicationId: string, kind: SessionKind) {
  const rows = await db
    .select({ id: sandboxWorkflows.id, kind: sandboxWorkflows.kind })
    .from(sandboxWorkflows)
    .where(and(eq(sandboxWorkflows.applicationId, applicationId), eq(sandboxWorkflows.kind, kind)))
    .orderBy(asc(sandboxWorkflows.createdAt), asc(sandboxWorkflows.id))
    .limit(1);
  return rows[0] ?? null;
}

export type KeyOwner = {
  keyId: string;
  app: { id: string; name: string; profile: SandboxProfile; privileges: Privilege[] };
};

/** The application behind an API key; null for unknown or revoked keys and deleted applications. */
export async function authenticateApiKey(db: DbOrTx, key: string): Promise<KeyOwner | null> {
  const rows = await db
    .select({
      keyId: sandboxApiKeys.id,
      privileges: sandboxApiKeys.privileges,
      id: sandboxApplications.id,
      name: sandboxApplications.name,
      profile: sandboxApplications.profile,
    })
    .from(sandboxApiKeys)
    .innerJoin(sandboxApplications, eq(sandboxApplications.id, sandboxApiKeys.applicationId))
    .where(
      and(
        eq(sandboxApiKeys.keyHash, apiKeyHash(key)),
        isNull(sandboxApiKeys.revokedAt),
        isNull(sandboxApplications.deletedAt),
      ),
    );
  const row = rows[0];
  if (!row) return null;
  return {
    keyId: row.keyId,
    app: {
      id: row.id,
      name: row.name,
      profile: row.profile,
      privileges: row.privileges.filter((p): p is Privilege => (PRIVILEGES as readonly string[]).includes(p)),
    },
  };
}
