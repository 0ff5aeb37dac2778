import "server-only";
import { randomBytes } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import {
  SUBSCRIBABLE_EVENTS,
  type SubscribableEvent,
  type WebhookDestination,
  type WebhookDestinationListRow,
  type WebhookVersion,
} from "@/lib/server/didit-wire";
import { isUniqueViolation } from "@/lib/server/db/errors";
import { sandboxWebhookDestinations } from "@/lib/server/sandbox/schema";
import type { DbOrTx } from "@/lib/server/db/types";
import { fieldErrors, isUuid, notFound, type FieldErrors } from "@/lib/server/sandbox/errors";
import { NOT_NULL, readBoolean, readString, REQUIRED } from "@/lib/server/sandbox/validation";
import { destinationUrlError } from "@/lib/server/sandbox/webhook-urls";

/** The sandbox only produces v3 payloads, so it accepts only that version. */
export const SANDBOX_WEBHOOK_VERSIONS = ["v3"] as const satisfies readonly WebhookVersion[];

/** The sandbox adds the secret's last four characters, so a list can tell destinations apart. */
export type DestinationListRow = WebhookDestinationListRow & { secret_last4: string };
export type DestinationWithSecret = WebhookDestination & { secret_last4: string };

type Row = typeof sandboxWebhookDestinations.$inferSelect;

function toListRow(row: Row): DestinationListRow {
  return {
    uuid: row.id,
    label: row.label,
    url: row.url,
    enabled: row.enabled,
    webhook_version: row.webhookVersion as WebhookVersion,
    subscribed_events: row.subscribedEvents as SubscribableEvent[],
    secret_last4: row.secretSharedKey.slice(-4),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

function withSecret(row: Row): DestinationWithSecret {
  return { ...toListRow(row), secret_shared_key: row.secretSharedKey };
}

/**
 * The application's destinations as Didit answers them (didit-api.md §5): a bare array, not
 * paginated, oldest first, without secrets.
 */
export async function listDestinations(db: DbOrTx, applicationId: string): Promise<DestinationListRow[]> {
  const rows = await db
    .select()
    .from(sandboxWebhookDestinations)
    .where(eq(sandboxWebhookDestinations.applicationId, applicationId))
    .orderBy(asc(sandboxWebhookDestinations.createdAt), asc(sandboxWebhookDestinations.id));
  return rows.map(toListRow);
}

/** One destination with its secret; 404 when it is not this application's (or not a uuid). */
export async function getDestination(
  db: DbOrTx,
  applicationId: string,
  id: string,
): Promise<DestinationWithSecret> {
  const row = await findRow(db, applicationId, id);
  if (!row) throw notFound();
  return withSecret(row);
}

async function findRow(db: DbOrTx, applicationId: string, id: string): Promise<Row | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db
    .select()
    .from(sandboxWebhookDestinations)
    .where(
      and(
        eq(sandboxWebhookDestinations.id, id.toLowerCase()),
        eq(sandboxWebhookDestinations.applicationId, applicationId),
      ),
    );
  return row;
}

type Fields = {
  label?: string;
  url?: string;
  enabled?: boolean;
  webhook_version?: WebhookVersion;
  subscribed_events?: SubscribableEvent[];
};

/**
 * DRF-style validation of the writable fields. `partial` (PATCH) skips required checks. Unknown
 * fields are ignored, as Didit does. Every invalid field is reported, not only the first.
 */
export function validateDestinationInput(
  body: Record<string, unknown>,
  partial: boolean,
): { ok: true; fields: Fields } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const fields: Fields = {};
  const has = (k: string) => Object.prototype.hasOwnProperty.call(body, k) && body[k] !== undefined;

  const label = readString(body, "label", errors, { allowBlank: true, maxLength: 255 });
  if (label !== undefined) fields.label = label.trim();

  const url = readString(body, "url", errors, { required: !partial })?.trim();
  if (url !== undefined) {
    const problem = destinationUrlError(url);
    if (problem) errors.url = [problem];
    else fields.url = url;
  }

  const enabled = readBoolean(body, "enabled", errors);
  if (enabled !== undefined) fields.enabled = enabled;

  if (has("webhook_version")) {
    const v = body.webhook_version;
    if (typeof v === "string" && (SANDBOX_WEBHOOK_VERSIONS as readonly string[]).includes(v))
      fields.webhook_version = v as WebhookVersion;
    else if (v === null) errors.webhook_version = [NOT_NULL];
    else
      errors.webhook_version = [
        `"${String(v)}" is not a valid choice. The sandbox sends ${SANDBOX_WEBHOOK_VERSIONS.join(", ")} payloads only.`,
      ];
  }

  if (has("subscribed_events")) {
    const v = body.subscribed_events;
    if (!Array.isArray(v)) {
      errors.subscribed_events =
        v === null ? [NOT_NULL] : [`Expected a list of items but got type "${typeName(v)}".`];
    } else if (v.length === 0) {
      errors.subscribed_events = ["This list may not be empty."];
    } else {
      const bad = v.filter(
        (e) => typeof e !== "string" || !(SUBSCRIBABLE_EVENTS as readonly string[]).includes(e),
      );
      if (bad.length > 0) {
        errors.subscribed_events = bad.map((e) => `"${String(e)}" is not a valid choice.`);
      } else fields.subscribed_events = [...new Set(v as SubscribableEvent[])];
    }
  } else if (!partial) errors.subscribed_events = [REQUIRED];

  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, fields };
}

function typeName(v: unknown): string {
  if (typeof v === "string") return "str";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "boolean") return "bool";
  return "dict";
}

const duplicateUrl = () =>
  fieldErrors({ url: ["A webhook destination with this URL already exists for this application."] });

export function newSecretSharedKey(): string {
  return randomBytes(32).toString("base64url");
}

export async function createDestination(
  db: DbOrTx,
  applicationId: string,
  body: Record<string, unknown>,
  now: Date,
): Promise<DestinationWithSecret> {
  const parsed = validateDestinationInput(body, false);
  if (!parsed.ok) throw fieldErrors(parsed.errors);
  const f = parsed.fields;
  try {
    const [row] = await db
      .insert(sandboxWebhookDestinations)
      .values({
        applicationId,
        label: f.label ?? "",
        url: f.url!,
        enabled: f.enabled ?? true,
        webhookVersion: f.webhook_version ?? "v3",
        subscribedEvents: f.subscribed_events!,
        secretSharedKey: newSecretSharedKey(),
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    return withSecret(row!);
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateUrl();
    throw error;
  }
}

/** PATCH: only the fields sent change; `subscribed_events` is replaced whole. No secret in the answer. */
export async function updateDestination(
  db: DbOrTx,
  applicationId: string,
  id: string,
  body: Record<string, unknown>,
  now: Date,
): Promise<DestinationListRow> {
  const existing = await findRow(db, applicationId, id);
  if (!existing) throw notFound();
  const parsed = validateDestinationInput(body, true);
  if (!parsed.ok) throw fieldErrors(parsed.errors);
  const f = parsed.fields;
  try {
    const [row] = await db
      .update(sandboxWebhookDestinations)
      .set({
        ...(f.label !== undefined && { label: f.label }),
        ...(f.url !== undefined && { url: f.url }),
        ...(f.enabled !== undefined && { enabled: f.enabled }),
        ...(f.webhook_version !== undefined && { webhookVersion: f.webhook_version }),
        ...(f.subscribed_events !== undefined && { subscribedEvents: f.subscribed_events }),
        updatedAt: now,
      })
      .where(eq(sandboxWebhookDestinations.id, existing.id))
      .returning();
    if (!row) throw notFound();
    return toListRow(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateUrl();
    throw error;
  }
}

/** Deletes a destination of this application (404 otherwise). Queued deliveries to it then fail. */
export async function deleteDestination(db: DbOrTx, applicationId: string, id: string): Promise<void> {
  if (!isUuid(id)) throw notFound();
  const rows = await db
    .delete(sandboxWebhookDestinations)
    .where(
      and(
        eq(sandboxWebhookDestinations.id, id.toLowerCase()),
        eq(sandboxWebhookDestinations.applicationId, applicationId),
      ),
    )
    .returning({ id: sandboxWebhookDestinations.id });
  if (rows.length === 0) throw notFound();
}
