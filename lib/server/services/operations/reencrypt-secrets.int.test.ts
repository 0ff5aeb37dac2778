import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isCurrent, open, seal } from "@/lib/server/crypto/envelope";
import { auditEvents } from "@/lib/server/db/schema";
import { connectedApplications, partners, partnerSecrets } from "@/lib/server/db/schema/sharing";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";
import { reencryptSecrets } from "./reencrypt-secrets";

/** HANDOFF_ENCRYPTION_KEY rotation: envelopes under the previous key move to the current one. */

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ sandbox: false });
});
afterAll(() => t.close());

const OLD = randomBytes(32).toString("base64");
const NEW = randomBytes(32).toString("base64");
const ROTATING = { current: NEW, previous: OLD };

describe(`keys:reencrypt (${testDriver()})`, () => {
  it("re-seals every envelope under the previous key, in batches; afterwards the previous key can go", async () => {
    const apps: { id: string; key: string; secret: string }[] = [];
    for (let i = 0; i < 5; i++) {
      const id = randomUUID();
      const key = `key-${i}-${randomUUID()}`;
      const secret = `secret-${i}`;
      apps.push({ id, key, secret });
      await t.db.insert(connectedApplications).values({
        id,
        name: `App ${i}`,
        diditApplicationId: randomUUID(),
        environment: "sandbox",
        // One row is already under the new key: it is left as it is.
        apiKeyCiphertext: seal(key, id, { current: i === 0 ? NEW : OLD }),
        webhookSecretCiphertext: i % 2 ? seal(secret, id, { current: OLD }) : null,
      });
    }
    const [partner] = await t.db
      .insert(partners)
      .values({
        name: "P",
        diditApplicationId: randomUUID(),
        applicationId: apps[0]!.id,
        direction: "both",
        allowedKinds: ["user"],
        allowedStatuses: ["Approved"],
        deliveryChannel: "push",
      })
      .returning();
    const secretId = randomUUID();
    await t.db.insert(partnerSecrets).values({
      id: secretId,
      partnerId: partner!.id,
      secretCiphertext: seal("whsec_partner", secretId, { current: OLD }),
      last4: "tner",
    });

    const result = await reencryptSecrets(t.db, { keys: ROTATING, batchSize: 2 });
    expect(result.targets["connected_applications.api_key"]).toEqual({
      scanned: 5,
      resealed: 4,
      current: 1,
      unreadable: 0,
    });
    expect(result.targets["connected_applications.webhook_secret"]!.resealed).toBe(2);
    expect(result.targets["partner_secrets.secret"]!.resealed).toBe(1);
    expect(result.total.resealed).toBe(7);

    // Only the new key is needed now, and each envelope is still bound to its row.
    const onlyNew = { current: NEW };
    for (const app of apps) {
      const [row] = await t.db
        .select()
        .from(connectedApplications)
        .where(eq(connectedApplications.id, app.id));
      expect(isCurrent(row!.apiKeyCiphertext!, onlyNew)).toBe(true);
      expect(open(row!.apiKeyCiphertext!, app.id, onlyNew)).toBe(app.key);
      if (row!.webhookSecretCiphertext)
        expect(open(row!.webhookSecretCiphertext, app.id, onlyNew)).toBe(app.secret);
      expect(() => open(row!.apiKeyCiphertext!, randomUUID(), onlyNew)).toThrow();
    }
    const [ps] = await t.db.select().from(partnerSecrets).where(eq(partnerSecrets.id, secretId));
    expect(open(ps!.secretCiphertext, secretId, onlyNew)).toBe("whsec_partner");

    const [audit] = await t.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, "secrets.reencrypted"));
    expect(audit!.actorLabel).toBe("system (command line)");
    expect(JSON.stringify(audit!.data)).not.toContain("key-");
    expect((audit!.data as { total: { resealed: number } }).total.resealed).toBe(7);

    // A second run finds nothing to do.
    expect((await reencryptSecrets(t.db, { keys: ROTATING })).total.resealed).toBe(0);
  });

  it("counts envelopes that open under neither key and leaves them untouched", async () => {
    const id = randomUUID();
    const stranger = seal("k", id, { current: randomBytes(32).toString("base64") });
    await t.db.insert(connectedApplications).values({
      id,
      name: "Stranger",
      diditApplicationId: randomUUID(),
      environment: "live",
      apiKeyCiphertext: stranger,
    });
    const result = await reencryptSecrets(t.db, { keys: ROTATING });
    expect(result.targets["connected_applications.api_key"]!.unreadable).toBe(1);
    const [row] = await t.db.select().from(connectedApplications).where(eq(connectedApplications.id, id));
    expect(row!.apiKeyCiphertext).toBe(stranger);
  });
});
