import "server-only";
import { randomUUID } from "node:crypto";
import { and, asc, count, eq, inArray, isNull } from "drizzle-orm";
import type {
  ApplicationDto,
  ApplicationSummaryDto,
  ApplicationSyncDto,
  CreateApplicationInput,
  UpdateApplicationInput,
} from "@/lib/schemas/applications";
import { isUniqueViolation } from "@/lib/server/db/errors";
import { connectedApplications, inboxItems, shares } from "@/lib/server/db/schema/sharing";
import type { DbOrTx } from "@/lib/server/db/types";
import { AppError, assertCan, diditOf, type ServiceContext, type ServiceDeps } from "@/lib/server/kernel";
import { NotListeningError, requirePublicOrigin } from "@/lib/server/listen-address";
import { getLogger } from "@/lib/server/logger";
import { auditMeta, recordAudit } from "@/lib/server/services/audit";
import { enqueueSessionSync } from "@/lib/server/services/sessions";
import { callerOf, dtoFor, loadLive, receiverUrl, toApplicationDto, toSyncDto } from "./dto";
import {
  auditWebhook,
  describeError,
  ensureWebhookDestination,
  forgetDestination,
  prepareKey,
  sameKey,
  webhookColumns,
  type KeySetup,
  type Registered,
} from "./keys";
import { enqueueSetup } from "./setup";

/**
 * Connected applications: our own Didit applications. The API key is write-only (sealed with the
 * row id; only its last 4 characters are shown). Saving a key tests it with a list call and
 * registers a Didit webhook destination for this console's receiver, whose secret is sealed too.
 * While this console's own URL is unknown the whole setup runs in the `applications.setup` job
 * (setup.ts), which retries until it can.
 */

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
  deps: ServiceDeps = {},
): Promise<ApplicationDto> {
  assertCan(ctx, "applications.manage");
  const client = diditOf(deps);
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
  deps: ServiceDeps = {},
): Promise<ApplicationDto> {
  assertCan(ctx, "applications.manage");
  const client = diditOf(deps);
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

/**
 * Removes an application from the console: soft delete (history, mirror and shares stay), the key
 * and the webhook secret destroyed, the Didit webhook destination deleted (best effort). Refused
 * (409) while shares from it are still being delivered or a token is being imported into it: their
 * jobs need the application; they end by themselves (delivered, expired) or can be revoked.
 */
export async function deleteApplication(
  ctx: ServiceContext,
  id: string,
  deps: ServiceDeps = {},
): Promise<void> {
  assertCan(ctx, "applications.manage");
  const client = diditOf(deps);
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
  deps: ServiceDeps = {},
): Promise<ApplicationDto> {
  assertCan(ctx, "applications.manage");
  const client = diditOf(deps);
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
