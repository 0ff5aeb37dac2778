import "server-only";
import { randomBytes, randomUUID } from "node:crypto";
import { and, desc, eq, gt, isNull, or } from "drizzle-orm";
import type {
  PartnerSecretDto,
  RotatePartnerSecretRequest,
  RotatePartnerSecretResponse,
} from "@/lib/schemas/partners";
import { EnvelopeError, last4, open, seal } from "@/lib/server/crypto/envelope";
import { partners, partnerSecrets } from "@/lib/server/db/schema";
import type { Db, DbOrTx, Tx } from "@/lib/server/db/types";
import { AppError, type ServiceContext, assertCan, UUID_RE } from "@/lib/server/kernel";
import { getLogger } from "@/lib/server/logger";
import { auditMeta, recordAudit } from "@/lib/server/services/audit";

/**
 * The Standard Webhooks secrets we share with a partner (`whsec_` + base64 of 32 random bytes):
 * we sign our pushes with the newest, and the partner's signed requests verify against every one
 * not yet expired, so a rotation leaves the previous secret valid for an overlap window. Each is
 * sealed with its own row id; only the last 4 characters are ever shown after the one-time reveal.
 */

export const PARTNER_ID_HEADER = "handoff-partner-id";
const SECRET_BYTES = 32;

export function generatePartnerSecret(): string {
  return `whsec_${randomBytes(SECRET_BYTES).toString("base64")}`;
}

/**
 * Inserts a new current secret for the partner (inside the caller's transaction); answers it once.
 * `adopted`: the secret the partner's own console issued, stored as given instead of a new one.
 */
export async function issuePartnerSecret(
  tx: Tx,
  partnerId: string,
  createdBy: string | null,
  now: Date,
  adopted?: string,
): Promise<{ id: string; secret: string; last4: string; createdAt: Date }> {
  const id = randomUUID();
  const secret = adopted ?? generatePartnerSecret();
  await tx.insert(partnerSecrets).values({
    id,
    partnerId,
    secretCiphertext: seal(secret, id),
    last4: last4(secret),
    createdBy,
    createdAt: now,
  });
  return { id, secret, last4: last4(secret), createdAt: now };
}

function liveSecrets(db: DbOrTx, partnerId: string, now: Date) {
  return db
    .select()
    .from(partnerSecrets)
    .where(
      and(
        eq(partnerSecrets.partnerId, partnerId),
        or(isNull(partnerSecrets.expiresAt), gt(partnerSecrets.expiresAt, now)),
      ),
    )
    .orderBy(desc(partnerSecrets.createdAt), desc(partnerSecrets.id));
}

function openAll(rows: { id: string; secretCiphertext: string }[]): string[] {
  const out: string[] = [];
  for (const row of rows) {
    try {
      out.push(open(row.secretCiphertext, row.id));
    } catch (error) {
      if (!(error instanceof EnvelopeError)) throw error;
      // A secret under a key no longer configured cannot verify anything; say so, without it.
      getLogger().warn({ secretId: row.id, reason: error.message }, "partner secret does not decrypt");
    }
  }
  return out;
}

/** Every secret of the partner not yet expired, opened (newest first): what a signature may match. */
export async function partnerVerificationSecrets(
  db: DbOrTx,
  partnerId: string,
  now: Date = new Date(),
): Promise<string[]> {
  return openAll(await liveSecrets(db, partnerId, now));
}

/** The newest live secret, opened: what our pushes to the partner are signed with; null if none. */
export async function partnerSigningSecret(
  db: DbOrTx,
  partnerId: string,
  now: Date = new Date(),
): Promise<string | null> {
  return openAll(await liveSecrets(db, partnerId, now))[0] ?? null;
}

/**
 * The `secrets` option of `apiRoute({ mode: "partner" })`: the partner named by the path's
 * `partnerId`, else by the `handoff-partner-id` header (a uuid), with its live secrets; null for
 * an unknown or suspended partner, or one without a secret (the request then answers 401).
 */
export async function partnerSecretsLookup(
  ctx: ServiceContext,
  params: unknown,
  headers: Headers,
): Promise<{ partnerId: string; secrets: string[] } | null> {
  const fromPath =
    params && typeof params === "object" && "partnerId" in params
      ? (params as { partnerId?: unknown }).partnerId
      : undefined;
  const named = fromPath !== undefined ? fromPath : headers.get(PARTNER_ID_HEADER)?.trim();
  if (typeof named !== "string" || !UUID_RE.test(named)) return null;
  const [partner] = await ctx.db
    .select({ id: partners.id, status: partners.status })
    .from(partners)
    .where(eq(partners.id, named.toLowerCase()))
    .limit(1);
  if (!partner || partner.status !== "active") return null;
  const secrets = await partnerVerificationSecrets(ctx.db, partner.id, ctx.now());
  return secrets.length > 0 ? { partnerId: partner.id, secrets } : null;
}

/** The partner's secrets as the detail page shows them (never the secret). */
export async function listPartnerSecrets(db: Db, partnerId: string, now: Date): Promise<PartnerSecretDto[]> {
  const rows = await db
    .select({
      id: partnerSecrets.id,
      last4: partnerSecrets.last4,
      createdAt: partnerSecrets.createdAt,
      expiresAt: partnerSecrets.expiresAt,
    })
    .from(partnerSecrets)
    .where(eq(partnerSecrets.partnerId, partnerId))
    .orderBy(desc(partnerSecrets.createdAt), desc(partnerSecrets.id))
    .limit(20);
  return rows.map((r) => ({
    id: r.id,
    last4: r.last4,
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt?.toISOString() ?? null,
    state: r.expiresAt === null ? "current" : r.expiresAt > now ? "overlap" : "expired",
  }));
}

/**
 * Issues a new secret (returned this once) and lets the previous live ones verify until
 * now + overlapHours (0: they stop at once). Works for a suspended partner too: a leaked secret
 * is a reason to suspend, and to rotate. With `secret` (the one the partner's console issued to
 * us) that secret is stored instead, with the same overlap, and never answered back.
 */
export async function rotatePartnerSecret(
  ctx: ServiceContext,
  partnerId: string,
  input: RotatePartnerSecretRequest,
): Promise<RotatePartnerSecretResponse> {
  assertCan(ctx, "partners.manage");
  const overlapHours = input.overlapHours ?? 24;
  return ctx.db.transaction(async (tx) => {
    const now = ctx.now();
    const [partner] = await tx
      .select({ id: partners.id, name: partners.name })
      .from(partners)
      .where(eq(partners.id, partnerId))
      .limit(1)
      .for("update");
    if (!partner) throw new AppError("not_found", "No such partner.");
    const until = new Date(now.getTime() + overlapHours * 3_600_000);
    const live = await liveSecrets(tx, partnerId, now);
    for (const row of live) {
      const expiresAt = row.expiresAt && row.expiresAt < until ? row.expiresAt : until;
      await tx.update(partnerSecrets).set({ expiresAt }).where(eq(partnerSecrets.id, row.id));
    }
    const adopted = input.secret !== undefined;
    const issued = await issuePartnerSecret(tx, partnerId, ctx.actor?.id ?? null, now, input.secret);
    const previousExpiresAt = live.length > 0 ? until.toISOString() : null;
    await recordAudit(tx, auditMeta(ctx), {
      action: "partner.secret_rotated",
      entityType: "partner",
      entityId: partnerId,
      data: {
        name: partner.name,
        secretId: issued.id,
        overlapHours,
        previousSecrets: live.length,
        previousExpiresAt,
        adopted,
      },
    });
    return {
      secret: adopted ? null : issued.secret,
      adopted,
      id: issued.id,
      last4: issued.last4,
      createdAt: issued.createdAt.toISOString(),
      previousExpiresAt,
    };
  });
}
