import "server-only";
import { last4, open, seal } from "@/lib/server/crypto/envelope";
import type { Tx } from "@/lib/server/db/types";
import type { DiditCaller, DiditClient } from "@/lib/server/didit/types";
import { AppError } from "@/lib/server/kernel";
import { NotListeningError, publicOrigin } from "@/lib/server/listen-address";
import { getLogger } from "@/lib/server/logger";
import { recordAudit, type AuditRequestMeta } from "@/lib/server/services/audit";
import { receiverUrl, type ApplicationRow } from "./dto";

/**
 * An application's API key and its Didit webhook destination: the key test, the registration (or
 * reuse) of this console's receiver, and the columns and audit entry that record it.
 */

export const WEBHOOK_EVENTS = ["status.updated", "data.updated"];
const WEBHOOK_LABEL = "Handoff console";

export const KEY_REJECTED =
  "Didit refused this API key. Copy it again from the Didit console (your application → API keys); it needs the read:sessions and write:sessions privileges.";

export function isKeyRejected(error: unknown): boolean {
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
export function describeError(error: unknown): string {
  if (error instanceof AppError || error instanceof NotListeningError) return error.message.slice(0, 500);
  getLogger()
    .child({ component: "applications" })
    .error({ err: error instanceof Error ? error.message : String(error) }, "unexpected setup error");
  return "An unexpected error happened (see the server log); Handoff will try again.";
}

export type Registered = { destinationId: string; url: string; secret: string };

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

export function webhookColumns(id: string, registered: Registered, now: Date) {
  return {
    webhookDestinationId: registered.destinationId,
    webhookUrl: registered.url,
    webhookSecretCiphertext: seal(registered.secret, id),
    webhookRegisteredAt: now,
    webhookError: null,
  };
}

export async function forgetDestination(client: DiditClient, caller: DiditCaller, destinationId: string) {
  await client.deleteWebhookDestination(caller, destinationId).catch((error: unknown) =>
    getLogger()
      .child({ component: "applications" })
      .warn({ err: describeError(error) }, "could not delete an unused Didit webhook destination"),
  );
}

export type KeySetup = {
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
export async function prepareKey(client: DiditClient, id: string, apiKey: string): Promise<KeySetup> {
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

export function sameKey(row: ApplicationRow, apiKey: string): boolean {
  if (!row.apiKeyCiphertext) return false;
  try {
    return open(row.apiKeyCiphertext, row.id) === apiKey;
  } catch {
    return false;
  }
}

export async function auditWebhook(tx: Tx, meta: AuditRequestMeta, id: string, registered: Registered) {
  await recordAudit(tx, meta, {
    action: "application.webhook_registered",
    entityType: "connected_application",
    entityId: id,
    data: { destinationId: registered.destinationId, url: registered.url, events: WEBHOOK_EVENTS },
  });
}
