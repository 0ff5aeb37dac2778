import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inboundMessageIds, jobs, userSessions, users } from "@/lib/server/db/schema";
import { rowsOf } from "@/lib/server/db/types";
import { runDueJobs, unregisterHandler, registerJobs } from "@/lib/server/jobs";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";
import {
  ENDED_SESSION_RETENTION_MS,
  INBOUND_ID_RETENTION_MS,
  MAINTENANCE_QUEUE,
  scheduleMaintenance,
} from "./maintenance";
import { maintenanceJob } from "@/lib/server/services/operations";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ sandbox: false });
  registerJobs([maintenanceJob]);
});
afterAll(async () => {
  unregisterHandler(MAINTENANCE_QUEUE);
  await t.close();
});

const now = new Date("2026-12-01T10:30:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms);

describe(`hourly maintenance on the job queue (${testDriver()})`, () => {
  it("prunes old replay ids and long-ended sessions, keeps the rest, and queues the next hour", async () => {
    const [user] = await t.db
      .insert(users)
      .values({ email: "m@example.com", name: "M", role: "officer" })
      .returning();
    await t.db.insert(inboundMessageIds).values([
      { scope: "partner:a", messageId: "old", receivedAt: ago(INBOUND_ID_RETENTION_MS + 1000) },
      { scope: "partner:a", messageId: "recent", receivedAt: ago(60_000) },
    ]);
    const day = 24 * 3_600_000;
    await t.db.insert(userSessions).values([
      { userId: user!.id, createdAt: ago(40 * day), expiresAt: ago(ENDED_SESSION_RETENTION_MS + day) },
      {
        userId: user!.id,
        createdAt: ago(40 * day),
        expiresAt: ago(ENDED_SESSION_RETENTION_MS - day),
        revokedAt: ago(ENDED_SESSION_RETENTION_MS + 1000),
      },
      { userId: user!.id, createdAt: ago(day), expiresAt: ago(day - 3_600_000) }, // ended recently
      { userId: user!.id, createdAt: ago(60_000), expiresAt: new Date(now.getTime() + 3_600_000) }, // live
    ]);

    await scheduleMaintenance(t.db, now);
    await scheduleMaintenance(t.db, now); // a second instance booting in the same hour: one job
    const queued = await t.db.select().from(jobs).where(eq(jobs.queue, MAINTENANCE_QUEUE));
    expect(queued).toHaveLength(1);

    const run = await runDueJobs(t.db, { now, queues: [MAINTENANCE_QUEUE] });
    expect(run).toMatchObject({ claimed: 1, done: 1 });

    const ids = (await t.db.select().from(inboundMessageIds)).map((r) => r.messageId);
    expect(ids).toEqual(["recent"]);
    expect(await t.db.select().from(userSessions)).toHaveLength(2);

    const next = rowsOf<{ run_at: string | Date; state: string }>(
      await t.db.execute(
        sql`select run_at, state from jobs where queue = ${MAINTENANCE_QUEUE} and state = 'pending'`,
      ),
    );
    expect(next).toHaveLength(1);
    expect(new Date(next[0]!.run_at).getTime()).toBe(now.getTime() + 3_600_000);
  });
});
