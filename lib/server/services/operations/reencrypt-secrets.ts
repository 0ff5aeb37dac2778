import "server-only";
import { and, asc, eq, gt, isNotNull } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import { EnvelopeError, isCurrent, open, seal, type EnvelopeKeys } from "@/lib/server/crypto/envelope";
import { signingKeys } from "@/lib/server/db/schema/evidence";
import { connectedApplications, inboxItems, partnerSecrets, shares } from "@/lib/server/db/schema/sharing";
import type { Db } from "@/lib/server/db/types";
import { recordAudit } from "@/lib/server/services/audit";

/**
 * HANDOFF_ENCRYPTION_KEY rotation (docs/operations.md): every envelope not under the current key is
 * opened (with HANDOFF_ENCRYPTION_KEY_PREVIOUS) and sealed again under the current one, bound to
 * the same row id, in batches, one transaction per batch with the rows locked. Afterwards the
 * previous key can be removed. Envelopes that open under neither key are counted, not changed.
 */

type Target = { name: string; table: PgTable; id: PgColumn; column: PgColumn; key: string };

const TARGETS: Target[] = [
  {
    name: "connected_applications.api_key",
    table: connectedApplications,
    id: connectedApplications.id,
    column: connectedApplications.apiKeyCiphertext,
    key: "apiKeyCiphertext",
  },
  {
    name: "connected_applications.webhook_secret",
    table: connectedApplications,
    id: connectedApplications.id,
    column: connectedApplications.webhookSecretCiphertext,
    key: "webhookSecretCiphertext",
  },
  {
    name: "partner_secrets.secret",
    table: partnerSecrets,
    id: partnerSecrets.id,
    column: partnerSecrets.secretCiphertext,
    key: "secretCiphertext",
  },
  {
    name: "shares.token",
    table: shares,
    id: shares.id,
    column: shares.tokenCiphertext,
    key: "tokenCiphertext",
  },
  {
    name: "inbox_items.token",
    table: inboxItems,
    id: inboxItems.id,
    column: inboxItems.tokenCiphertext,
    key: "tokenCiphertext",
  },
  {
    name: "signing_keys.private_key",
    table: signingKeys,
    id: signingKeys.id,
    column: signingKeys.privateKeyCiphertext,
    key: "privateKeyCiphertext",
  },
];

export type ReencryptCounts = { scanned: number; resealed: number; current: number; unreadable: number };
export type ReencryptResult = { targets: Record<string, ReencryptCounts>; total: ReencryptCounts };

export async function reencryptSecrets(
  db: Db,
  options: { batchSize?: number; keys?: EnvelopeKeys; now?: Date } = {},
): Promise<ReencryptResult> {
  const batchSize = options.batchSize ?? 200;
  const now = options.now ?? new Date();
  const total: ReencryptCounts = { scanned: 0, resealed: 0, current: 0, unreadable: 0 };
  const targets: Record<string, ReencryptCounts> = {};
  for (const target of TARGETS) {
    const counts: ReencryptCounts = { scanned: 0, resealed: 0, current: 0, unreadable: 0 };
    let after: string | null = null;
    for (;;) {
      const last: string | null = await db.transaction(async (tx) => {
        const rows = (await tx
          .select({ id: target.id, envelope: target.column })
          .from(target.table)
          .where(after ? and(isNotNull(target.column), gt(target.id, after)) : isNotNull(target.column))
          .orderBy(asc(target.id))
          .limit(batchSize)
          .for("update")) as { id: string; envelope: string | null }[];
        for (const row of rows) {
          if (!row.envelope) continue;
          counts.scanned++;
          if (isCurrent(row.envelope, options.keys)) {
            counts.current++;
            continue;
          }
          let plaintext: string;
          try {
            plaintext = open(row.envelope, row.id, options.keys);
          } catch (error) {
            if (!(error instanceof EnvelopeError)) throw error;
            counts.unreadable++;
            continue;
          }
          await tx
            .update(target.table)
            .set({ [target.key]: seal(plaintext, row.id, options.keys) })
            .where(eq(target.id, row.id));
          counts.resealed++;
        }
        return rows.length === batchSize ? rows[rows.length - 1]!.id : null;
      });
      if (!last) break;
      after = last;
    }
    targets[target.name] = counts;
    for (const k of Object.keys(total) as (keyof ReencryptCounts)[]) total[k] += counts[k];
  }
  await db.transaction((tx) =>
    recordAudit(
      tx,
      { actor: { id: null, label: "system (command line)" }, now, requestId: null },
      { action: "secrets.reencrypted", entityType: "secrets", data: { total, targets } },
    ),
  );
  return { targets, total };
}
