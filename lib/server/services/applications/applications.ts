import "server-only";
import { randomUUID } from "node:crypto";
import { and, asc, count, eq, inArray, isNull } from "drizzle-orm";
import type {
  ApplicationDto,
  ApplicationSummaryDto,
  ApplicationSyncDto,
  CreateApplicationInput,
  UpdateApplicationInput,
  WebhookState,
} from "@/lib/schemas/applications";
import { can } from "@/lib/rbac";
import { last4, open, seal } from "@/lib/server/crypto/envelope";
import { isUniqueViolation } from "@/lib/server/db/errors";
import { connectedApplications, inboxItems, shares } from "@/lib/server/db/schema/sharing";
import type { Db, DbOrTx, Tx } from "@/lib/server/db/types";
import { getDiditClient } from "@/lib/server/didit";
import type { DiditCaller, DiditClient } from "@/lib/server/didit/types";
import { AppError, type ServiceContext, assertCan } from "@/lib/server/kernel";
import { enqueue, PermanentJobError, registerHandler, type JobContext } from "@/lib/server/jobs";
import { NotListeningError, publicOrigin, requirePublicOrigin } from "@/lib/server/listen-address";
import { getLogger } from "@/lib/server/logger";
import { auditMeta, recordAudit, type AuditRequestMeta } from "@/lib/server/services/audit";
import { DIDIT_WEBHOOK_QUEUE, processDiditWebhookJob } from "./didit-webhooks";
import { enqueueSessionSync } from "@/lib/server/services/sessions";

/**
 * Connected applications: our own Didit applications. The API key is write-only (sealed with the
 * row id; only its last 4 characters are shown). Saving a key tests it with a list call and
 * registers a Didit webhook destination for this console's receiver, whose secret is sealed too.
 * While this console's own URL is unknown (the demo seed at boot, before the server listens) the
 * whole setup runs in the `applications.setup` job, which retries until it can.
 */

export const APPLICATION_SETUP_QUEUE = "applications.setup";
export const WEBHOOK_EVENTS = ["status.updated", "data.updated"];
const WEBHOOK_LABEL = "Handoff console";

type ApplicationRow = typeof connectedApplications.$inferSelect;

const iso = (d: Date | null) => d?.toISOString() ?? null;

function toSyncDto(row: ApplicationRow): ApplicationSyncDto {
  return {
    state: row.syncState,
    total: row.syncTotal,
    done: row.syncDone,
    startedAt: iso(row.syncStartedAt),
    finishedAt: iso(row.syncFinishedAt),
    backfilledAt: iso(row.syncBackfilledAt),
    error: row.syncError,
  };
}

export function toApplicationSummaryDto(row: ApplicationRow): ApplicationSummaryDto {
  return {
    id: row.id,
    name: row.name,
    diditApplicationId: row.diditApplicationId,
    environment: row.environment,
    sync: toSyncDto(row),
    workflows: row.workflows,
  };
}

function webhookState(row: ApplicationRow): WebhookState {
  if (row.webhookDestinationId && row.webhookSecretCiphertext) return "registered";
  return row.webhookError ? "failed" : "pending";
}

export function toApplicationDto(row: ApplicationRow): ApplicationDto {
  return {
    ...toApplicationSummaryDto(row),
    apiKeyLast4: row.apiKeyLast4,
    apiKeyCheckedAt: iso(row.apiKeyCheckedAt),
    apiKeyError: row.apiKeyError,
    webhook: {
      state: webhookState(row),
      url: row.webhookUrl,
      registeredAt: iso(row.webhookRegisteredAt),
      error: row.webhookError,
      lastEventAt: iso(row.lastWebhookAt),
    },
    defaultWorkflowUser: row.defaultWorkflowUser,
    defaultWorkflowBusiness: row.defaultWorkflowBusiness,
    retentionDays: row.retentionDays,
    retentionRunAt: iso(row.retentionRunAt),
    retentionError: row.retentionError,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The admin view for those who manage applications, the summary for every other role. */
function dtoFor(ctx: ServiceContext, row: ApplicationRow): ApplicationDto | ApplicationSummaryDto {
  return can(ctx.actor?.role, "applications.manage") ? toApplicationDto(row) : toApplicationSummaryDto(row);
}

/** This console's receiver for one application's Didit webhooks. */
export function receiverUrl(origin: string, applicationId: string): string {
  return `${origin}/api/webhooks/didit/${applicationId}`;
}

/** How the Didit client is told who calls: the row id and the sealed key (opened inside the client). */
export function callerOf(row: Pick<ApplicationRow, "id" | "apiKeyCiphertext">): DiditCaller {
  if (!row.apiKeyCiphertext) {
    throw new AppError("conflict", "This application has no API key any more: it was removed from Handoff.");
  }
  return { id: row.id, apiKeyCiphertext: row.apiKeyCiphertext };
}

const NOT_FOUND = "No such connected application.";

async function loadLive(db: DbOrTx, id: string, lock = false): Promise<ApplicationRow> {
  const q = db
    .select()
    .from(connectedApplications)
    .where(and(eq(connectedApplications.id, id), isNull(connectedApplications.deletedAt)))
    .limit(1);
  const [row] = lock ? await q.for("update") : await q;
  if (!row) throw new AppError("not_found", NOT_FOUND);
  return row;
}

function duplicate(): AppError {
  const message = "This Didit application is already connected.";
  return new AppError("conflict", message, { fields: { diditApplicationId: [message] } });
}

async function assertDiditIdFree(db: DbOrTx, diditApplicationId: string): Promise<void> {
  const [taken] = await db
    .select({ id: connectedApplications.id })
    .from(connectedApplications)
    .where(
      and(
        eq(connectedApplications.diditApplicationId, diditApplicationId),
        isNull(connectedApplications.deletedAt),
      ),
    )
    .limit(1);
  if (taken) throw duplicate();
}

const KEY_REJECTED =
  "Didit refused this API key. Copy it again from the Didit console (your application → API keys); it needs the read:sessions and write:sessions privileges.";

function isKeyRejected(error: unknown): boolean {
  return error instanceof AppError && error.code === "key_rejected";
}

/** A list call with the key; a refused key is invalid input (422 on the key field), nothing saved. */
async function testKey(client: DiditClient, caller: DiditCaller): Promise<void> {
  try {
    await client.listSessions(caller, { limit: 1, kind: "all" });
  } catch (error) {
    if (isKeyRejected(error)) {
      throw new AppError("validation_failed", KEY_REJECTED, { fields: { apiKey: [KEY_REJECTED] } });
    }
    throw error;
  }
}

/** A message safe to store and show (our own errors' messages never carry a secret or a body). */
function describeError(error: unknown): string {
  if (error instanceof AppError || error instanceof NotListeningError) return error.message.slice(0, 500);
  getLogger()
    .child({ component: "applications" })
    .error({ err: error instanceof Error ? error.message : String(error) }, "unexpected setup error");
  return "An unexpected error happened (see the server log); Handoff will try again.";
}

type Registered = { destinationId: string; url: string; secret: string };

/**
 * Registers this console's receiver as a Didit webhook destination, or reuses the one already
 * registered with that URL (Didit keeps URLs unique per application), reading its secret with a
 * single GET. A disabled or under-subscribed destination is switched back on for both events.
 */
export async function ensureWebhookDestination(
  client: DiditClient,
  caller: DiditCaller,
  url: string,
): Promise<Registered> {
  const reuse = async (): Promise<Registered | null> => {
    const found = (await client.listWebhookDestinations(caller)).find((d) => d.url === url);
    if (!found) return null;
    const full = await client.getWebhookDestination(caller, found.id);
    if (!full.secretSharedKey) {
      throw new AppError("upstream_error", "Didit did not return the webhook destination's secret.");
    }
    const subscribed = WEBHOOK_EVENTS.every((e) => full.subscribedEvents.includes(e));
    if (!full.enabled || !subscribed) {
      await client.updateWebhookDestination(caller, full.id, {
        enabled: true,
        subscribedEvents: [...new Set([...full.subscribedEvents, ...WEBHOOK_EVENTS])],
      });
    }
    return { destinationId: full.id, url, secret: full.secretSharedKey };
  };
  const existing = await reuse();
  if (existing) return existing;
  try {
    const created = await client.createWebhookDestination(caller, {
      label: WEBHOOK_LABEL,
      url,
      subscribedEvents: WEBHOOK_EVENTS,
      enabled: true,
    });
    if (created.secretSharedKey) return { destinationId: created.id, url, secret: created.secretSharedKey };
    const again = await reuse();
    if (again) return again;
    throw new AppError("upstream_error", "Didit did not return the webhook destination's secret.");
  } catch (error) {
    // Registered meanwhile by a concurrent attempt (Didit's uniqueness rule): use that one.
    const raced = await reuse().catch(() => null);
    if (raced) return raced;
    throw error;
  }
}

function webhookColumns(id: string, registered: Registered, now: Date) {
  return {
    webhookDestinationId: registered.destinationId,
    webhookUrl: registered.url,
    webhookSecretCiphertext: seal(registered.secret, id),
    webhookRegisteredAt: now,
    webhookError: null,
  };
}

async function forgetDestination(client: DiditClient, caller: DiditCaller, destinationId: string) {
  await client.deleteWebhookDestination(caller, destinationId).catch((error: unknown) =>
    getLogger()
      .child({ component: "applications" })
      .warn({ err: describeError(error) }, "could not delete an unused Didit webhook destination"),
  );
}

/** The setup job: key test (if not done), webhook registration (if missing), the first sync. */
async function enqueueSetup(tx: Tx, applicationId: string, firstSync: boolean, now: Date): Promise<void> {
  await enqueue(tx, {
    queue: APPLICATION_SETUP_QUEUE,
    payload: { applicationId, firstSync },
    maxAttempts: 30,
    backoff: { kind: "exponential", baseMs: 5_000, maxMs: 10 * 60_000 },
    singletonKey: applicationId,
    now,
  });
}

type KeySetup = {
  ciphertext: string;
  last4: string;
  checked: boolean;
  registered: Registered | null;
  webhookError: string | null;
};

/**
 * Seals a new key for row `id` and, when this console's URL is known, tests it and registers the
 * webhook (a failed registration is kept as webhookError and retried by the setup job). A rejected
 * key throws: nothing is saved.
 */
async function prepareKey(client: DiditClient, id: string, apiKey: string): Promise<KeySetup> {
  const ciphertext = seal(apiKey, id);
  const setup: KeySetup = {
    ciphertext,
    last4: last4(apiKey),
    checked: false,
    registered: null,
    webhookError: null,
  };
  const origin = publicOrigin();
  if (!origin) return setup;
  const caller = { id, apiKeyCiphertext: ciphertext };
  await testKey(client, caller);
  setup.checked = true;
  try {
    setup.registered = await ensureWebhookDestination(client, caller, receiverUrl(origin, id));
  } catch (error) {
    setup.webhookError = describeError(error);
  }
  return setup;
}

// ─── Reads ──────────────────────────────────────────────────────────────────────────────────────

export async function listApplications(
  ctx: ServiceContext,
): Promise<{ items: (ApplicationDto | ApplicationSummaryDto)[] }> {
  assertCan(ctx, "applications.read");
  const rows = await ctx.db
    .select()
    .from(connectedApplications)
    .where(isNull(connectedApplications.deletedAt))
    .orderBy(asc(connectedApplications.name), asc(connectedApplications.id));
  return { items: rows.map((r) => dtoFor(ctx, r)) };
}

export async function getApplication(
  ctx: ServiceContext,
  id: string,
): Promise<ApplicationDto | ApplicationSummaryDto> {
  assertCan(ctx, "applications.read");
  return dtoFor(ctx, await loadLive(ctx.db, id));
}

// ─── Changes ────────────────────────────────────────────────────────────────────────────────────

export async function createApplication(
  ctx: ServiceContext,
  input: CreateApplicationInput,
  client: DiditClient = getDiditClient(),
): Promise<ApplicationDto> {
  assertCan(ctx, "applications.manage");
  await assertDiditIdFree(ctx.db, input.diditApplicationId);
  const id = randomUUID();
  const key = await prepareKey(client, id, input.apiKey);
  const now = ctx.now();
  try {
    const row = await ctx.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(connectedApplications)
        .values({
          id,
          name: input.name,
          diditApplicationId: input.diditApplicationId,
          environment: input.environment,
          apiKeyCiphertext: key.ciphertext,
          apiKeyLast4: key.last4,
          apiKeyCheckedAt: key.checked ? now : null,
          defaultWorkflowUser: input.defaultWorkflowUser ?? null,
          defaultWorkflowBusiness: input.defaultWorkflowBusiness ?? null,
          workflows: input.workflows ?? [],
          ...(key.registered ? webhookColumns(id, key.registered, now) : { webhookError: key.webhookError }),
          createdBy: ctx.actor?.id ?? null,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      const meta = auditMeta(ctx);
      await recordAudit(tx, meta, {
        action: "application.created",
        entityType: "connected_application",
        entityId: id,
        data: {
          name: input.name,
          diditApplicationId: input.diditApplicationId,
          environment: input.environment,
          apiKeyLast4: key.last4,
          keyTested: key.checked,
          defaultWorkflowUser: input.defaultWorkflowUser ?? null,
          defaultWorkflowBusiness: input.defaultWorkflowBusiness ?? null,
          workflows: input.workflows ?? [],
        },
      });
      if (key.registered) await auditWebhook(tx, meta, id, key.registered);
      if (key.checked) await enqueueSessionSync(tx, id, { mode: "backfill" });
      if (!key.checked || !key.registered) await enqueueSetup(tx, id, !key.checked, now);
      return row!;
    });
    return toApplicationDto(row);
  } catch (error) {
    if (key.registered)
      await forgetDestination(client, { id, apiKeyCiphertext: key.ciphertext }, key.registered.destinationId);
    if (isUniqueViolation(error)) throw duplicate();
    throw error;
  }
}

async function auditWebhook(tx: Tx, meta: AuditRequestMeta, id: string, registered: Registered) {
  await recordAudit(tx, meta, {
    action: "application.webhook_registered",
    entityType: "connected_application",
    entityId: id,
    data: { destinationId: registered.destinationId, url: registered.url, events: WEBHOOK_EVENTS },
  });
}

const EDITABLE = [
  "name",
  "environment",
  "defaultWorkflowUser",
  "defaultWorkflowBusiness",
  "workflows",
] as const;

/**
 * Renames, changes the environment or the default workflows, and/or rotates the key: a new key is
 * tested first (refused: nothing changes) and the webhook registration is checked with it.
 */
export async function updateApplication(
  ctx: ServiceContext,
  id: string,
  input: UpdateApplicationInput,
  client: DiditClient = getDiditClient(),
): Promise<ApplicationDto> {
  assertCan(ctx, "applications.manage");
  const before = await loadLive(ctx.db, id);
  let key: KeySetup | null = null;
  if (input.apiKey !== undefined && !sameKey(before, input.apiKey))
    key = await prepareKey(client, id, input.apiKey);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const current = await loadLive(tx, id, true);
    const changes: Partial<typeof connectedApplications.$inferInsert> = {};
    const changed: Record<string, { from: unknown; to: unknown }> = {};
    for (const field of EDITABLE) {
      const value = input[field];
      if (value === undefined || JSON.stringify(value) === JSON.stringify(current[field])) continue;
      Object.assign(changes, { [field]: value });
      changed[field] = { from: current[field], to: value };
    }
    const meta = auditMeta(ctx);
    if (Object.keys(changed).length > 0) {
      await recordAudit(tx, meta, {
        action: "application.updated",
        entityType: "connected_application",
        entityId: id,
        data: { changes: changed },
      });
    }
    if (key) {
      Object.assign(changes, {
        apiKeyCiphertext: key.ciphertext,
        apiKeyLast4: key.last4,
        apiKeyCheckedAt: key.checked ? now : null,
        apiKeyError: null,
        ...(key.registered
          ? webhookColumns(id, key.registered, now)
          : current.webhookSecretCiphertext
            ? {}
            : { webhookError: key.webhookError }),
      });
      await recordAudit(tx, meta, {
        action: "application.key_rotated",
        entityType: "connected_application",
        entityId: id,
        data: { apiKeyLast4From: current.apiKeyLast4, apiKeyLast4To: key.last4, keyTested: key.checked },
      });
      const newDestination =
        key.registered &&
        (key.registered.destinationId !== current.webhookDestinationId || !current.webhookSecretCiphertext);
      if (key.registered && newDestination) await auditWebhook(tx, meta, id, key.registered);
      if (key.checked && (current.apiKeyError || current.syncState === "failed")) {
        await enqueueSessionSync(tx, id, { mode: current.syncBackfilledAt ? "incremental" : "backfill" });
      }
      if (!key.checked || (!key.registered && !current.webhookSecretCiphertext)) {
        await enqueueSetup(tx, id, !key.checked && !current.syncBackfilledAt, now);
      }
    }
    if (Object.keys(changes).length === 0) return toApplicationDto(current);
    const [updated] = await tx
      .update(connectedApplications)
      .set({ ...changes, updatedAt: now })
      .where(eq(connectedApplications.id, id))
      .returning();
    return toApplicationDto(updated!);
  });
}

function sameKey(row: ApplicationRow, apiKey: string): boolean {
  if (!row.apiKeyCiphertext) return false;
  try {
    return open(row.apiKeyCiphertext, row.id) === apiKey;
  } catch {
    return false;
  }
}

/**
 * Removes an application from the console: soft delete (history, mirror and shares stay), the key
 * and the webhook secret destroyed, the Didit webhook destination deleted (best effort). Refused
 * (409) while shares from it are still being delivered or a token is being imported into it: their
 * jobs need the application; they end by themselves (delivered, expired) or can be revoked.
 */
export async function deleteApplication(
  ctx: ServiceContext,
  id: string,
  client: DiditClient = getDiditClient(),
): Promise<void> {
  assertCan(ctx, "applications.manage");
  const before = await loadLive(ctx.db, id);
  await assertNothingInFlight(ctx.db, id);
  let webhookDeleted = false;
  if (before.webhookDestinationId && before.apiKeyCiphertext) {
    try {
      await client.deleteWebhookDestination(callerOf(before), before.webhookDestinationId);
      webhookDeleted = true;
    } catch (error) {
      webhookDeleted = error instanceof AppError && error.code === "not_found";
      if (!webhookDeleted) {
        getLogger()
          .child({ component: "applications", applicationId: id })
          .warn(
            { err: describeError(error) },
            "Didit webhook destination not deleted; remove it in the Didit console",
          );
      }
    }
  }
  const now = ctx.now();
  await ctx.db.transaction(async (tx) => {
    const current = await loadLive(tx, id, true);
    await assertNothingInFlight(tx, id);
    await tx
      .update(connectedApplications)
      .set({
        deletedAt: now,
        updatedAt: now,
        apiKeyCiphertext: null,
        webhookSecretCiphertext: null,
        webhookDestinationId: null,
      })
      .where(eq(connectedApplications.id, id));
    await recordAudit(tx, auditMeta(ctx), {
      action: "application.deleted",
      entityType: "connected_application",
      entityId: id,
      data: {
        name: current.name,
        diditApplicationId: current.diditApplicationId,
        webhookDestinationId: current.webhookDestinationId,
        webhookDeleted,
      },
    });
  });
}

async function assertNothingInFlight(db: DbOrTx, id: string): Promise<void> {
  const [pending] = await db
    .select({ n: count() })
    .from(shares)
    .where(and(eq(shares.applicationId, id), eq(shares.state, "pending")));
  const n = Number(pending?.n ?? 0);
  if (n > 0) {
    throw new AppError(
      "conflict",
      `${n} ${n === 1 ? "share from this application is" : "shares from this application are"} still being delivered: wait until delivered or expired, or revoke ${n === 1 ? "it" : "them"} on the Shares page, then delete.`,
    );
  }
  const [importing] = await db
    .select({ n: count() })
    .from(inboxItems)
    .where(and(eq(inboxItems.applicationId, id), inArray(inboxItems.state, ["importing"])));
  if (Number(importing?.n ?? 0) > 0) {
    throw new AppError(
      "conflict",
      "A token is being imported into this application right now: try again in a minute.",
    );
  }
}

/** "Sync now": an incremental pass, or a full backfill with `full`; answers the sync state (202). */
export async function requestApplicationSync(
  ctx: ServiceContext,
  id: string,
  input: { full?: boolean | undefined },
): Promise<{ id: string; sync: ApplicationSyncDto }> {
  assertCan(ctx, "applications.manage");
  const mode = input.full ? "backfill" : "incremental";
  await ctx.db.transaction(async (tx) => {
    const row = await loadLive(tx, id, true);
    callerOf(row);
    await enqueueSessionSync(tx, id, { mode });
    await recordAudit(tx, auditMeta(ctx), {
      action: "application.sync_requested",
      entityType: "connected_application",
      entityId: id,
      data: { mode },
    });
  });
  const row = await loadLive(ctx.db, id);
  return { id, sync: toSyncDto(row) };
}

/** "Register webhook": the registration now, with the stored key. A failure changes nothing. */
export async function registerApplicationWebhook(
  ctx: ServiceContext,
  id: string,
  client: DiditClient = getDiditClient(),
): Promise<ApplicationDto> {
  assertCan(ctx, "applications.manage");
  const before = await loadLive(ctx.db, id);
  const caller = callerOf(before);
  let registered: Registered;
  try {
    registered = await ensureWebhookDestination(client, caller, receiverUrl(requirePublicOrigin(), id));
  } catch (error) {
    if (error instanceof AppError) throw error;
    // This console's own URL is not known yet: a state of ours, not Didit's.
    if (error instanceof NotListeningError) throw new AppError("conflict", error.message);
    throw new AppError("upstream_error", describeError(error));
  }
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const current = await loadLive(tx, id, true);
    const [updated] = await tx
      .update(connectedApplications)
      .set({ ...webhookColumns(id, registered, now), updatedAt: now })
      .where(eq(connectedApplications.id, id))
      .returning();
    if (registered.destinationId !== current.webhookDestinationId || !current.webhookSecretCiphertext) {
      await auditWebhook(tx, auditMeta(ctx), id, registered);
    }
    return toApplicationDto(updated!);
  });
}

// ─── The setup job ──────────────────────────────────────────────────────────────────────────────

const SYSTEM = (now: Date): AuditRequestMeta => ({
  actor: { id: null, label: "system" },
  now,
  requestId: null,
});

/**
 * One attempt of the setup: the key test if the key was never tested, the webhook registration if
 * missing, and the first backfill. Idempotent (every step looks at the row first); a rejected key
 * is final (the admin rotates it), anything else is retried with backoff, NotListeningError
 * included (the server is not listening yet).
 */
export async function runApplicationSetup(
  db: Db,
  payload: { applicationId: string; firstSync?: boolean; verifyUrl?: boolean },
  now: Date,
  client: DiditClient = getDiditClient(),
): Promise<void> {
  const id = payload.applicationId;
  const load = async () =>
    (
      await db
        .select()
        .from(connectedApplications)
        .where(and(eq(connectedApplications.id, id), isNull(connectedApplications.deletedAt)))
        .limit(1)
    )[0];
  let row = await load();
  if (!row?.apiKeyCiphertext) return;
  const caller = callerOf(row);

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

  row = await load();
  if (!row?.apiKeyCiphertext) return;
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
      enqueue(tx, {
        queue: APPLICATION_SETUP_QUEUE,
        payload: { applicationId: id, firstSync: false, verifyUrl: true },
        maxAttempts: 30,
        backoff: { kind: "exponential", baseMs: 5_000, maxMs: 10 * 60_000 },
        singletonKey: id,
        now,
      }),
    );
  }
}

function neverSynced(row: ApplicationRow): boolean {
  return row.syncState === "idle" && row.syncStartedAt === null && row.syncBackfilledAt === null;
}

/** Queues the setup of an application (the demo seed: the whole setup, networked, in the job). */
export async function enqueueApplicationSetup(tx: Tx, applicationId: string, now: Date): Promise<void> {
  await enqueueSetup(tx, applicationId, true, now);
}

/** The job handlers of connected applications and of Didit's webhooks (one line in handlers.ts). */
export function registerApplicationHandlers(): void {
  registerHandler<{ applicationId: string; firstSync?: boolean; verifyUrl?: boolean }>(
    APPLICATION_SETUP_QUEUE,
    (job: JobContext, payload) => runApplicationSetup(job.db, payload, job.now),
  );
  registerHandler(DIDIT_WEBHOOK_QUEUE, (job: JobContext, payload) => processDiditWebhookJob(job, payload));
}
