import "server-only";
import { createPrivateKey, generateKeyPairSync, randomUUID, sign } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import { open, seal } from "@/lib/server/crypto/envelope";
import { signingKeys } from "@/lib/server/db/schema";
import type { Db } from "@/lib/server/db/types";
import { auditMeta, recordAudit } from "@/lib/server/services/audit";
import { ed25519Fingerprint } from "./evidence-verify";
import type { ServiceContext } from "@/lib/server/kernel";

/**
 * The instance's Ed25519 key for the evidence pack's manifest. Made on first use: the private key
 * is sealed (its row id as associated data) and only ever opened here, to sign; the public key
 * (SPKI PEM) and its fingerprint (SHA-256 hex of the raw 32-byte key) are public. The partial
 * unique index on `purpose where retired_at is null` keeps one current key: two first uses at once
 * insert one row, the loser reads the winner's. Its creation is audited (`signing_key.created`).
 */

export type PublicSigningKey = {
  id: string;
  algorithm: "ed25519";
  publicKeyPem: string;
  fingerprint: string;
  createdAt: Date;
};

async function currentRow(db: Db) {
  const [row] = await db
    .select()
    .from(signingKeys)
    .where(and(eq(signingKeys.purpose, "evidence"), isNull(signingKeys.retiredAt)))
    .limit(1);
  return row ?? null;
}

function toPublic(row: typeof signingKeys.$inferSelect): PublicSigningKey {
  return {
    id: row.id,
    algorithm: row.algorithm,
    publicKeyPem: row.publicKeyPem,
    fingerprint: row.fingerprint,
    createdAt: row.createdAt,
  };
}

async function ensureRow(ctx: ServiceContext) {
  const existing = await currentRow(ctx.db);
  if (existing) return existing;
  const id = randomUUID();
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const publicKeyPem = publicKey.export({ format: "pem", type: "spki" }).toString();
  const privatePem = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  const fingerprint = ed25519Fingerprint(publicKeyPem);
  const inserted = await ctx.db.transaction(async (tx) => {
    const rows = await tx
      .insert(signingKeys)
      .values({
        id,
        purpose: "evidence",
        algorithm: "ed25519",
        publicKeyPem,
        privateKeyCiphertext: seal(privatePem, id),
        fingerprint,
        createdAt: ctx.now(),
      })
      .onConflictDoNothing()
      .returning();
    if (rows[0])
      await recordAudit(tx, auditMeta(ctx), {
        action: "signing_key.created",
        entityType: "signing_key",
        entityId: id,
        data: { purpose: "evidence", algorithm: "ed25519", fingerprint },
      });
    return rows[0] ?? null;
  });
  if (inserted) return inserted;
  const winner = await currentRow(ctx.db);
  if (!winner) throw new Error("the evidence signing key could neither be made nor read");
  return winner;
}

/** The current evidence key's public half, made on first use. */
export async function getEvidencePublicKey(ctx: ServiceContext): Promise<PublicSigningKey> {
  return toPublic(await ensureRow(ctx));
}

/** Signs `bytes` with the current evidence key (Ed25519); answers the signature and the key. */
export async function signWithEvidenceKey(
  ctx: ServiceContext,
  bytes: Uint8Array,
): Promise<{ signature: Buffer; key: PublicSigningKey }> {
  const row = await ensureRow(ctx);
  const privateKey = createPrivateKey(open(row.privateKeyCiphertext, row.id));
  return { signature: sign(null, bytes, privateKey), key: toPublic(row) };
}
