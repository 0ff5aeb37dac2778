import "server-only";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { and, asc, count, eq, inArray, isNull, sql } from "drizzle-orm";
import { getEnv } from "@/lib/env";
import { sandboxApplications, sandboxWorkflows } from "@/lib/server/sandbox/schema";
import type { Db, DbOrTx } from "@/lib/server/db/types";
import { createApiKey, createApplication, type CreatedApplication } from "@/lib/server/sandbox/applications";
import { bulkCreateSessions } from "@/lib/server/sandbox/bulk";
import { PRIVILEGES } from "@/lib/server/didit-wire";
import type { SandboxProfile } from "@/lib/server/sandbox/types";

/** Two applications of one group: a bank and its payments brand, sharing verifications both ways. */
export const DEMO_APPLICATIONS = [
  { name: "Northwind Bank", seedPrefix: "northwind-bank", vendorDataPrefix: "nwb-" },
  { name: "Northwind Pay", seedPrefix: "northwind-pay", vendorDataPrefix: "nwp-" },
] as const;

export const DEMO_SESSIONS_PER_APP = { user: 240, business: 60 } as const;

export type SandboxDemoApplication = CreatedApplication & { name: string; profile: SandboxProfile };

/** The file the console's "connected applications" feature reads: ids, workflows and keys. */
export type SandboxDemoFile = {
  group: string;
  created_at: string;
  applications: SandboxDemoApplication[];
};

export function sandboxDemoFilePath(): string {
  return path.resolve(getEnv().HANDOFF_DATA_DIR, "sandbox-demo.json");
}

// Serialises seeding between processes sharing one PostgreSQL (several instances booting at once).
const SEED_LOCK = 727274101;

/**
 * Seeds the sandbox demo when it has no application yet: "Northwind Bank" and "Northwind Pay", each
 * with 240 KYC + 60 KYB generated sessions (every status of both kinds, deterministic seeds, spread
 * over the last 90 days), and writes their ids and API keys to `<HANDOFF_DATA_DIR>/sandbox-demo.json`
 * (mode 0600). When the applications exist but the file is lost, fresh keys are minted into a new file
 * (stored keys are hashes, so the old ones cannot be recovered).
 */
export async function seedSandboxDemo(
  db: Db,
  options: { now: Date; profile?: SandboxProfile; filePath?: string },
): Promise<{ created: boolean; sessions: number; file: string | null }> {
  const profile = options.profile ?? getEnv().SANDBOX_PROFILE;
  const file = options.filePath ?? sandboxDemoFilePath();
  const result = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SEED_LOCK})`);
    const [existing] = await tx.select({ n: count() }).from(sandboxApplications);
    if (Number(existing?.n ?? 0) > 0) {
      return existsSync(file) ? null : { demo: await rekeyExistingDemo(tx), sessions: 0, created: false };
    }
    const applications: SandboxDemoApplication[] = [];
    let sessions = 0;
    for (const spec of DEMO_APPLICATIONS) {
      const app = await createApplication(tx, { name: spec.name, profile });
      const total = DEMO_SESSIONS_PER_APP.user + DEMO_SESSIONS_PER_APP.business;
      const { created } = await bulkCreateSessions(tx, {
        applicationId: app.application_id,
        count: total,
        kindMix: DEMO_SESSIONS_PER_APP,
        seedPrefix: spec.seedPrefix,
        vendorDataPrefix: spec.vendorDataPrefix,
        now: options.now,
        spreadDays: 90,
      });
      sessions += created;
      applications.push({
        name: spec.name,
        application_id: app.application_id,
        api_key: app.api_key,
        profile,
        workflows: app.workflows,
      });
    }
    return { demo: applications, sessions, created: true };
  });
  if (!result || result.demo.length === 0) return { created: false, sessions: 0, file: null };
  writeDemoFile(file, {
    group: "Northwind",
    created_at: options.now.toISOString(),
    applications: result.demo,
  });
  return { created: result.created, sessions: result.sessions, file };
}

/** New keys for the demo applications found by name (none when they were deleted or renamed). */
async function rekeyExistingDemo(tx: DbOrTx): Promise<SandboxDemoApplication[]> {
  const names = DEMO_APPLICATIONS.map((a) => a.name);
  const apps = await tx
    .select()
    .from(sandboxApplications)
    .where(and(inArray(sandboxApplications.name, names), isNull(sandboxApplications.deletedAt)))
    .orderBy(asc(sandboxApplications.createdAt));
  const out: SandboxDemoApplication[] = [];
  for (const name of names) {
    const app = apps.find((a) => a.name === name);
    if (!app) return [];
    const workflows = await tx
      .select({ id: sandboxWorkflows.id, kind: sandboxWorkflows.kind })
      .from(sandboxWorkflows)
      .where(eq(sandboxWorkflows.applicationId, app.id))
      .orderBy(asc(sandboxWorkflows.createdAt), asc(sandboxWorkflows.id));
    const user = workflows.find((w) => w.kind === "user");
    const business = workflows.find((w) => w.kind === "business");
    if (!user || !business) return [];
    out.push({
      name,
      application_id: app.id,
      api_key: await createApiKey(tx, app.id, [...PRIVILEGES]),
      profile: app.profile,
      workflows: { user: user.id, business: business.id },
    });
  }
  return out;
}

function writeDemoFile(file: string, content: SandboxDemoFile): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(content, null, 2) + "\n", { mode: 0o600 });
  chmodSync(file, 0o600);
}
