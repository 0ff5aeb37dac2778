import { randomBytes, randomUUID, verify, createPublicKey } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isCurrent, open, seal } from "@/lib/server/crypto/envelope";
import { auditEvents, signingKeys } from "@/lib/server/db/schema";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";
import { systemContext } from "@/lib/server/kernel";
import { ed25519Fingerprint } from "./evidence-verify";
import { reencryptSecrets } from "@/lib/server/services/operations/reencrypt-secrets";
import { getEvidencePublicKey, signWithEvidenceKey } from "./signing-keys";

/** The evidence signing key: made once (also under a race), sealed to its row, signing verifiably. */

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ sandbox: false });
});
afterAll(() => t.close());

describe(`Evidence signing key (${testDriver()})`, () => {
  it("ten first uses at once make one key, audited once; its private half is sealed to its row", async () => {
    const ctx = systemContext(t.db);
    const keys = await Promise.all(Array.from({ length: 10 }, () => getEvidencePublicKey(ctx)));
    expect(new Set(keys.map((k) => k.id)).size).toBe(1);
    const rows = await t.db.select().from(signingKeys);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({ purpose: "evidence", algorithm: "ed25519", retiredAt: null });
    expect(row.fingerprint).toBe(ed25519Fingerprint(row.publicKeyPem));
    expect(row.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(row.privateKeyCiphertext).not.toContain("PRIVATE KEY");
    expect(open(row.privateKeyCiphertext, row.id)).toContain("BEGIN PRIVATE KEY");
    expect(() => open(row.privateKeyCiphertext, randomUUID())).toThrow();
    const audits = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "signing_key.created"));
    expect(audits).toHaveLength(1);
    expect(audits[0]!.data).toEqual({
      purpose: "evidence",
      algorithm: "ed25519",
      fingerprint: row.fingerprint,
    });
    expect(JSON.stringify(keys[0])).not.toMatch(/PRIVATE|Ciphertext/);
  });

  it("signs with Ed25519: the public key verifies it, another message does not", async () => {
    const ctx = systemContext(t.db);
    const message = new TextEncoder().encode("manifest bytes");
    const { signature, key } = await signWithEvidenceKey(ctx, message);
    expect(signature).toHaveLength(64);
    expect(verify(null, message, createPublicKey(key.publicKeyPem), signature)).toBe(true);
    expect(
      verify(null, new TextEncoder().encode("other"), createPublicKey(key.publicKeyPem), signature),
    ).toBe(false);
  });

  it("keys:reencrypt re-seals the private key under the current encryption key, bound to the same row", async () => {
    const OLD = randomBytes(32).toString("base64");
    const NEW = randomBytes(32).toString("base64");
    const [row] = await t.db.select().from(signingKeys);
    const pem = open(row!.privateKeyCiphertext, row!.id);
    await t.db
      .update(signingKeys)
      .set({ privateKeyCiphertext: seal(pem, row!.id, { current: OLD }) })
      .where(eq(signingKeys.id, row!.id));
    const result = await reencryptSecrets(t.db, { keys: { current: NEW, previous: OLD } });
    expect(result.targets["signing_keys.private_key"]).toEqual({
      scanned: 1,
      resealed: 1,
      current: 0,
      unreadable: 0,
    });
    const [after] = await t.db.select().from(signingKeys);
    expect(isCurrent(after!.privateKeyCiphertext, { current: NEW })).toBe(true);
    expect(open(after!.privateKeyCiphertext, row!.id, { current: NEW })).toBe(pem);
  });
});
