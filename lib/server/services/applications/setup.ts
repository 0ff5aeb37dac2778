import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { connectedApplications } from "@/lib/server/db/schema/sharing";
import type { Db, Tx } from "@/lib/server/db/types";
import type { DiditCaller, DiditClient } from "@/lib/server/didit/types";
import { diditOf, type ServiceDeps } from "@/lib/server/kernel";
import { defineJob, PermanentJobError } from "@/lib/server/jobs";
import { NotListeningError, publicOrigin, requirePublicOrigin } from "@/lib/server/listen-address";
import type { AuditRequestMeta } from "@/lib/server/services/audit";
import { enqueueSessionSync } from "@/lib/server/services/sessions";
import { callerOf, loadLive, neverSynced, receiverUrl, type ApplicationRow } from "./dto";
import {
  auditWebhook,
  describeError,
  ensureWebhookDestination,
  forgetDestination,
  isKeyRejected,
  KEY_REJECTED,
  webhookColumns,
  type Registered,
} from "./keys";

/**
 * The `applications.setup` job. While this console's own URL is unknown (the demo seed at boot,
 * before the server listens) the whole setup of an application runs here, retried until it can:
 * the key test (if not done), the webhook registration (if missing), the first sync.
 */

export const APPLICATION_SETUP_QUEUE = "applications.setup";

type SetupPayload = { applicationId: string; firstSync?: boolean; verifyUrl?: boolean };

export const applicationSetupJob = defineJob({
  queue: APPLICATION_SETUP_QUEUE,
  payload: z.object({
    applicationId: z.string(),
    firstSync: z.boolean().optional(),
    verifyUrl: z.boolean().optional(),
  }),
  retry: { maxAttempts: 30, backoff: { kind: "exponential", baseMs: 5_000, maxMs: 10 * 60_000 } },
  handler: (job, payload) => runApplicationSetup(job.db, payload, job.now),
});

/** The setup job: key test (if not done), webhook registration (if missing), the first sync. */
export async function enqueueSetup(
  tx: Tx,
  applicationId: string,
  firstSync: boolean,
  now: Date,
): Promise<void> {
  await applicationSetupJob.enqueue(tx, { applicationId, firstSync }, { singletonKey: applicationId, now });
}

const SYSTEM = (now: Date): AuditRequestMeta => ({
  actor: { id: null, label: "system" },
  now,
  requestId: null,
});

async function loadRow(db: Db, id: string): Promise<ApplicationRow | undefined> {
  const [row] = await db
    .select()
    .from(connectedApplications)
    .where(and(eq(connectedApplications.id, id), isNull(connectedApplications.deletedAt)))
    .limit(1);
  return row;
}

/**
 * One attempt of the setup: the key test if the key was never tested, the webhook registration if
 * missing, and the first backfill. Idempotent (every step looks at the row first); a rejected key
 * is final (the admin rotates it), anything else is retried with backoff, NotListeningError
 * included (the server is not listening yet).
 */
export async function runApplicationSetup(
  db: Db,
  payload: SetupPayload,
  now: Date,
  deps: ServiceDeps = {},
): Promise<void> {
  const client = diditOf(deps);
  const first = await loadRow(db, payload.applicationId);
  if (!first?.apiKeyCiphertext) return;
  await checkKeyAndFirstSync(db, client, first, callerOf(first), payload, now);
  const row = await loadRow(db, payload.applicationId);
  if (!row?.apiKeyCiphertext) return;
  await registerWebhookStep(db, client, row, payload, now);
}

/** The key test (never done yet) with the first backfill queued after it, or the backfill alone. */
async function checkKeyAndFirstSync(
  db: Db,
  client: DiditClient,
  row: ApplicationRow,
  caller: DiditCaller,
  payload: SetupPayload,
  now: Date,
): Promise<void> {
  const id = row.id;
  if (!row.apiKeyCheckedAt) {
    try {
      await client.listSessions(caller, { limit: 1, kind: "all" });
    } catch (error) {
      if (isKeyRejected(error)) {
        await db
          .update(connectedApplications)
          .set({ apiKeyError: KEY_REJECTED, updatedAt: now })
          .where(
            and(
              eq(connectedApplications.id, id),
              eq(connectedApplications.apiKeyCiphertext, caller.apiKeyCiphertext),
            ),
          );
        throw new PermanentJobError(KEY_REJECTED);
      }
      throw error;
    }
    await db.transaction(async (tx) => {
      const current = await loadLive(tx, id, true);
      if (current.apiKeyCiphertext !== caller.apiKeyCiphertext) return; // rotated meanwhile
      await tx
        .update(connectedApplications)
        .set({ apiKeyCheckedAt: now, apiKeyError: null, updatedAt: now })
        .where(eq(connectedApplications.id, id));
      if (payload.firstSync && neverSynced(current)) await enqueueSessionSync(tx, id, { mode: "backfill" });
    });
  } else if (payload.firstSync && neverSynced(row)) {
    await db.transaction(async (tx) => {
      if (neverSynced(await loadLive(tx, id, true))) await enqueueSessionSync(tx, id, { mode: "backfill" });
    });
  }
}

/** The webhook registration when missing, or when asked to verify it still points here (boot). */
async function registerWebhookStep(
  db: Db,
  client: DiditClient,
  row: ApplicationRow,
  payload: SetupPayload,
  now: Date,
): Promise<void> {
  const id = row.id;
  const origin = publicOrigin();
  if (row.webhookDestinationId && row.webhookSecretCiphertext) {
    // Registered: done, unless asked to check that it still points at this console's URL (boot).
    if (!payload.verifyUrl) return;
    if (!origin) throw new NotListeningError();
    if (row.webhookUrl === receiverUrl(origin, id)) return;
  }
  const previous = row.webhookDestinationId;
  let registered: Registered;
  try {
    registered = await ensureWebhookDestination(
      client,
      callerOf(row),
      receiverUrl(requirePublicOrigin(), id),
    );
  } catch (error) {
    await db
      .update(connectedApplications)
      .set({ webhookError: describeError(error), updatedAt: now })
      .where(and(eq(connectedApplications.id, id), isNull(connectedApplications.deletedAt)));
    if (isKeyRejected(error)) throw new PermanentJobError(describeError(error));
    throw error;
  }
  await db.transaction(async (tx) => {
    const current = await loadLive(tx, id, true).catch(() => null);
    if (!current) return;
    await tx
      .update(connectedApplications)
      .set({ ...webhookColumns(id, registered, now), updatedAt: now })
      .where(eq(connectedApplications.id, id));
    await auditWebhook(tx, SYSTEM(now), id, registered);
  });
  // The console moved (another URL): the destination for the old one would only fail at Didit.
  if (previous && previous !== registered.destinationId) {
    await forgetDestination(client, callerOf(row), previous);
  }
}

/**
 * At start: every connected application's webhook is checked against this console's URL (it may
 * have moved, e.g. `next dev` on another port) and registered again when it differs.
 */
export async function scheduleApplicationChecks(db: Db, now: Date = new Date()): Promise<void> {
  const rows = await db
    .select({ id: connectedApplications.id })
    .from(connectedApplications)
    .where(isNull(connectedApplications.deletedAt));
  for (const { id } of rows) {
    await db.transaction((tx) =>
      applicationSetupJob.enqueue(
        tx,
        { applicationId: id, firstSync: false, verifyUrl: true },
        { singletonKey: id, now },
      ),
    );
  }
}

/** Queues the setup of an application (the demo seed: the whole setup, networked, in the job). */
export async function enqueueApplicationSetup(tx: Tx, applicationId: string, now: Date): Promise<void> {
  await enqueueSetup(tx, applicationId, true, now);
}
