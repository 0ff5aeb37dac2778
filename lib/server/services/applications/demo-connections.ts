import "server-only";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { and, count, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { getEnv } from "@/lib/env";
import { last4, open, seal } from "@/lib/server/crypto/envelope";
import { connectedApplications, partners } from "@/lib/server/db/schema/sharing";
import type { Db, Tx } from "@/lib/server/db/types";
import { enqueueApplicationSetup } from "./setup";
import { recordAudit, type AuditRequestMeta } from "@/lib/server/services/audit";

/**
 * The embedded default's demo (issue 7 §8): the sandbox's two Northwind applications connected to
 * the console, with partners configured both ways (internal channel), so a newcomer shares from
 * Northwind Bank to Northwind Pay with no setup. Reads `<HANDOFF_DATA_DIR>/sandbox-demo.json`
 * (written by the sandbox's demo seed; this module never imports the sandbox) and does the
 * networked part (key test, webhook registration, backfill) in the `applications.setup` job.
 */

export const DEMO_AGREEMENT_REFERENCE = "NW-GROUP-2026-01";
export const DEMO_AGREEMENT_SIGNED_ON = "2026-01-15";

const demoFileSchema = z.object({
  group: z.string().min(1),
  created_at: z.string(),
  applications: z
    .array(
      z.object({
        application_id: z.uuid(),
        api_key: z.string().min(1).max(512),
        workflows: z.object({ user: z.uuid(), business: z.uuid() }),
        name: z.string().min(1).max(120),
        profile: z.string().optional(),
      }),
    )
    .min(1),
});
export type DemoFile = z.infer<typeof demoFileSchema>;

export function demoConnectionsFile(): string {
  return path.resolve(getEnv().HANDOFF_DATA_DIR, "sandbox-demo.json");
}

// Serialises seeding between instances booting at once on one PostgreSQL.
const DEMO_CONNECTIONS_LOCK = 727274102;

export type DemoConnectionsResult = {
  /** Applications created (0 when some connected application already existed). */
  created: number;
  /** Existing demo applications whose key was replaced by the file's (the sandbox re-issued them). */
  rekeyed: number;
  partners: number;
  /** Why nothing was done, when nothing was. */
  skipped?: "no_file" | "already_connected";
};

function readDemoFile(file: string): DemoFile | null {
  if (!existsSync(file)) return null;
  const parsed = demoFileSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) {
    throw new Error(`${file} is not a sandbox demo file: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  }
  return parsed.data;
}

/** The demo application's two workflows, named as the pickers show them. */
function demoWorkflows(app: DemoFile["applications"][number]) {
  return [
    { id: app.workflows.user, name: `${app.name} KYC`, kind: "user" as const },
    { id: app.workflows.business, name: `${app.name} KYB`, kind: "business" as const },
  ];
}

/** `YYYY-MM-DD` one year after `now` (UTC). */
function oneYearAfter(now: Date): string {
  const d = new Date(now.getTime());
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * Seeds the demo connections when no connected application exists yet (deleted ones count: an
 * admin who removed the demo keeps it removed), then queues each application's setup. On a later
 * start, a file holding different keys than ours (the sandbox re-issued them after the file was
 * lost) re-seals the new keys into the existing rows and queues their setup again. Idempotent.
 */
export async function seedDemoConnections(
  db: Db,
  options: { file?: string; now?: Date } = {},
): Promise<DemoConnectionsResult> {
  const demo = readDemoFile(options.file ?? demoConnectionsFile());
  if (!demo) return { created: 0, rekeyed: 0, partners: 0, skipped: "no_file" };
  const now = options.now ?? new Date();
  const meta: AuditRequestMeta = { actor: { id: null, label: "system (demo seed)" }, now, requestId: null };
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${DEMO_CONNECTIONS_LOCK})`);
    const [existing] = await tx.select({ n: count() }).from(connectedApplications);
    if (Number(existing?.n ?? 0) > 0) {
      const rekeyed = await rekey(tx, demo, meta);
      return { created: 0, rekeyed, partners: 0, ...(rekeyed === 0 ? { skipped: "already_connected" } : {}) };
    }
    return createDemo(tx, demo, meta);
  });
}

// Long on purpose: one demo application's whole seed (row, sealed key, partners both ways) in
// one transaction, read in the order the demo file describes it.
async function createDemo(tx: Tx, demo: DemoFile, meta: AuditRequestMeta): Promise<DemoConnectionsResult> {
  const { now } = meta;
  const rows: { id: string; app: DemoFile["applications"][number] }[] = [];
  for (const app of demo.applications) {
    const id = randomUUID();
    await tx.insert(connectedApplications).values({
      id,
      name: app.name,
      diditApplicationId: app.application_id,
      environment: "sandbox",
      apiKeyCiphertext: seal(app.api_key, id),
      apiKeyLast4: last4(app.api_key),
      defaultWorkflowUser: app.workflows.user,
      defaultWorkflowBusiness: app.workflows.business,
      workflows: demoWorkflows(app),
      createdAt: now,
      updatedAt: now,
    });
    await recordAudit(tx, meta, {
      action: "application.created",
      entityType: "connected_application",
      entityId: id,
      data: {
        name: app.name,
        diditApplicationId: app.application_id,
        environment: "sandbox",
        apiKeyLast4: last4(app.api_key),
        defaultWorkflowUser: app.workflows.user,
        defaultWorkflowBusiness: app.workflows.business,
        source: "demo",
      },
    });
    rows.push({ id, app });
  }
  let partnerCount = 0;
  for (const ours of rows) {
    for (const other of rows) {
      if (other === ours) continue;
      const [partner] = await tx
        .insert(partners)
        .values({
          name: other.app.name,
          diditApplicationId: other.app.application_id,
          applicationId: ours.id,
          direction: "both",
          agreementReference: DEMO_AGREEMENT_REFERENCE,
          agreementSignedOn: DEMO_AGREEMENT_SIGNED_ON,
          agreementExpiresOn: oneYearAfter(now),
          allowedKinds: ["user", "business"],
          // Declined is not allowed, so the demo also shows a refusal by policy.
          allowedStatuses: ["Approved", "In Review"],
          defaultTtlSeconds: 3600,
          maxTtlSeconds: 86400,
          deliveryChannel: "internal",
          importMode: "manual",
          trustReview: false,
          importWorkflowUser: ours.app.workflows.user,
          importWorkflowBusiness: ours.app.workflows.business,
          reviewSlaHours: 48,
          notes: `Demo: a sister brand of the ${demo.group} group, connected to this console.`,
          createdAt: now,
          updatedAt: now,
        })
        .returning({ id: partners.id });
      await recordAudit(tx, meta, {
        action: "partner.created",
        entityType: "partner",
        entityId: partner!.id,
        data: {
          name: other.app.name,
          diditApplicationId: other.app.application_id,
          applicationId: ours.id,
          direction: "both",
          deliveryChannel: "internal",
          agreementReference: DEMO_AGREEMENT_REFERENCE,
          source: "demo",
        },
      });
      partnerCount++;
    }
  }
  for (const { id } of rows) await enqueueApplicationSetup(tx, id, now);
  return { created: rows.length, rekeyed: 0, partners: partnerCount };
}

/** The file's keys into the live rows of the same Didit applications, where they differ. */
async function rekey(tx: Tx, demo: DemoFile, meta: AuditRequestMeta): Promise<number> {
  let rekeyed = 0;
  for (const app of demo.applications) {
    const [row] = await tx
      .select()
      .from(connectedApplications)
      .where(
        and(
          eq(connectedApplications.diditApplicationId, app.application_id),
          isNull(connectedApplications.deletedAt),
        ),
      )
      .for("update");
    if (!row) continue;
    let held: string | null = null;
    try {
      held = row.apiKeyCiphertext ? open(row.apiKeyCiphertext, row.id) : null;
    } catch {
      held = null; // sealed under a key we no longer have: the file's key replaces it
    }
    if (held === app.api_key) continue;
    await tx
      .update(connectedApplications)
      .set({
        apiKeyCiphertext: seal(app.api_key, row.id),
        apiKeyLast4: last4(app.api_key),
        apiKeyCheckedAt: null,
        apiKeyError: null,
        updatedAt: meta.now,
      })
      .where(eq(connectedApplications.id, row.id));
    await recordAudit(tx, meta, {
      action: "application.key_rotated",
      entityType: "connected_application",
      entityId: row.id,
      data: { apiKeyLast4From: row.apiKeyLast4, apiKeyLast4To: last4(app.api_key), source: "demo file" },
    });
    await enqueueApplicationSetup(tx, row.id, meta.now);
    rekeyed++;
  }
  return rekeyed;
}
