import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PickupResponse } from "@/lib/schemas/partner-api";
import type { ShareTokenClaims } from "@/lib/schemas/inbox";
import { open, tokenHash } from "@/lib/server/crypto/envelope";
import { auditEvents, inboxItems, partners } from "@/lib/server/db/schema";
import { jobs } from "@/lib/server/db/schema/jobs";
import { runDueJobs, registerJobs } from "@/lib/server/jobs";
import { testDriver } from "@/test/database";
import { claimsOf } from "@/test/sandbox-fixtures";
import { sharingWorld, type SharingWorld } from "@/test/sharing-world";
import { inboxKit, type InboxKit, type Sender } from "./inbox.test-kit";
import { rotatePartnerSecret } from "@/lib/server/services/partners/secrets";
import { pollPartnerPickups } from "./pickup";
import {
  pickupIntervalMs,
  PICKUP_QUEUE,
  schedulePickupPolls,
} from "@/lib/server/services/partners/pickup-schedule";
import { startRemoteConsole, type RemoteConsole } from "./remote-console.test-kit";
import { captureLogs, databaseText } from "@/lib/server/services/sharing/shares.test-kit";
import type { ServiceContext } from "@/lib/server/kernel";
import { pickupJob } from "@/lib/server/services/receiving";

let w: SharingWorld;
let kit: InboxKit;
let logs: ReturnType<typeof captureLogs>;
const consoles: RemoteConsole[] = [];
const tokens: string[] = [];

function managerCtx(): ServiceContext {
  return {
    db: w.t.db,
    actor: { id: w.officer.id, email: w.officer.email, name: "Manager", role: "partnerships" },
    now: () => new Date(),
    requestId: "pickup-test",
    ip: null,
    userAgent: null,
  };
}

/** A partner that shares with us from its own console (pick-up), with the secret it gave us adopted. */
async function remotePartner(): Promise<{ sender: Sender; remote: RemoteConsole }> {
  const remote = await startRemoteConsole();
  consoles.push(remote);
  const sender = await kit.newSender({
    partnerApiBaseUrl: `${remote.origin}/`,
    remotePartnerId: remote.partnerId,
    inboundPickup: true,
  });
  await rotatePartnerSecret(managerCtx(), sender.id, { overlapHours: 0, secret: remote.secret });
  return { sender, remote };
}

/** A share the remote console offers for pick-up, built from a token's claims as a Handoff sender does. */
async function offer(remote: RemoteConsole, sender: Sender): Promise<PickupResponse> {
  const token = await kit.forge(sender.app.id);
  tokens.push(token);
  const c = claimsOf(token) as unknown as ShareTokenClaims;
  const share: PickupResponse = {
    share_id: randomUUID(),
    share_token: token,
    session_kind: c.session_kind,
    from_application_id: c.from_application_id,
    for_application_id: c.for_application_id,
    expires_at: new Date(c.exp * 1000).toISOString(),
    manifest: {
      session_number: 7,
      status: "Approved",
      created_at: "2026-11-28T14:03:11.000Z",
      features: ["ID_VERIFICATION"],
      agreement_reference: "DSA-2026-001",
    },
  };
  remote.offer(share);
  return share;
}

const itemsOf = (partnerId: string) =>
  w.t.db.select().from(inboxItems).where(eq(inboxItems.partnerId, partnerId));
const partnerRow = async (id: string) =>
  (await w.t.db.select().from(partners).where(eq(partners.id, id)))[0]!;
const pickupAudits = (partnerId: string) =>
  w.t.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, "inbox.picked_up"), eq(auditEvents.entityId, partnerId)));
const pollJobs = async (partnerId: string) =>
  (await w.t.db.select().from(jobs).where(eq(jobs.queue, PICKUP_QUEUE))).filter(
    (j) => (j.payload as { partnerId?: string }).partnerId === partnerId,
  );
const stopPolling = (partnerId: string) =>
  w.t.db.update(partners).set({ inboundPickup: false }).where(eq(partners.id, partnerId));

beforeAll(async () => {
  logs = captureLogs();
  w = await sharingWorld();
  kit = inboxKit(w);
  registerJobs([pickupJob]);
}, 60_000);

afterAll(async () => {
  logs?.restore();
  for (const c of consoles) await c.close();
  await w?.close();
});

describe(`pick-up polling (${testDriver()})`, () => {
  it("lists signed, takes each waiting token once into the inbox as a pick-up, audits the counts", async () => {
    const { sender, remote } = await remotePartner();
    const a = await offer(remote, sender);
    const b = await offer(remote, sender);
    const now = new Date();
    const result = await pollPartnerPickups(w.t.db, sender.id, { now });
    expect(result).toEqual({ listed: 2, taken: 2, alreadyTaken: 0, refused: 0, error: null });

    // Every request verifies on the remote side, with the secret it gave us and our id there.
    expect(remote.requests.map((r) => [r.route, r.method, r.verified])).toEqual([
      ["list", "GET", true],
      ["pickup", "POST", true],
      ["pickup", "POST", true],
    ]);
    expect(remote.requests[0]!.path).toBe("/api/partner/v1/shares");
    expect(remote.requests.map((r) => r.headers["handoff-partner-id"])).toEqual(
      Array(3).fill(remote.partnerId),
    );

    const items = await itemsOf(sender.id);
    expect(items.map((i) => i.senderShareId).sort()).toEqual([a.share_id, b.share_id].sort());
    for (const share of [a, b]) {
      const item = items.find((i) => i.senderShareId === share.share_id)!;
      expect(item).toMatchObject({
        source: "pickup",
        state: "pending",
        tokenHash: tokenHash(share.share_token),
        manifest: share.manifest,
        applicationId: w.bankRow,
      });
      expect(open(item.tokenCiphertext!, item.id)).toBe(share.share_token);
    }
    const row = await partnerRow(sender.id);
    expect(row.pickupPolledAt?.toISOString()).toBe(now.toISOString());
    expect(row.pickupError).toBeNull();
    const audits = await pickupAudits(sender.id);
    expect(audits).toHaveLength(1);
    expect(audits[0]!.data).toMatchObject({ listed: 2, taken: 2, alreadyTaken: 0, refused: 0 });
    const received = await w.t.db.select().from(auditEvents).where(eq(auditEvents.action, "inbox.received"));
    expect(received.filter((e) => (e.data as { source?: string }).source === "pickup")).toHaveLength(2);

    // The next poll finds nothing new: no pick-up, no audit event, the poll time kept.
    const later = new Date(now.getTime() + 45_000);
    expect(await pollPartnerPickups(w.t.db, sender.id, { now: later })).toMatchObject({
      listed: 0,
      taken: 0,
    });
    expect(remote.requests.filter((r) => r.route === "pickup")).toHaveLength(2);
    expect(await pickupAudits(sender.id)).toHaveLength(1);
    expect((await partnerRow(sender.id)).pickupPolledAt?.toISOString()).toBe(later.toISOString());
    await stopPolling(sender.id);
  });

  it("never picks up a share already in our inbox again, and takes a 409 as already taken", async () => {
    const { sender, remote } = await remotePartner();
    const held = await offer(remote, sender);
    await pollPartnerPickups(w.t.db, sender.id, { now: new Date() });
    // A stale list still shows the share we hold; another console took the second one (409).
    remote.keepListing(held.share_id);
    const elsewhere = await offer(remote, sender);
    remote.takenElsewhere(elsewhere.share_id);
    const before = remote.requests.length;
    const result = await pollPartnerPickups(w.t.db, sender.id, { now: new Date() });
    expect(result).toEqual({ listed: 2, taken: 0, alreadyTaken: 1, refused: 0, error: null });
    const pickups = remote.requests.slice(before).filter((r) => r.route === "pickup");
    expect(pickups.map((r) => r.path)).toEqual([`/api/partner/v1/shares/${elsewhere.share_id}/pickup`]);
    expect((await itemsOf(sender.id)).map((i) => i.senderShareId)).toEqual([held.share_id]);
    expect((await partnerRow(sender.id)).pickupError).toBeNull();
    await stopPolling(sender.id);
  });

  it("concurrent polls take each token once (one 200, the others 409) and store one item each", async () => {
    const { sender, remote } = await remotePartner();
    const offered = [await offer(remote, sender), await offer(remote, sender), await offer(remote, sender)];
    const results = await Promise.all(
      [0, 1, 2, 3].map(() => pollPartnerPickups(w.t.db, sender.id, { now: new Date() })),
    );
    const total = results.reduce((n, r) => n + r!.taken, 0);
    expect(total).toBe(3);
    expect(results.every((r) => r!.error === null)).toBe(true);
    const items = await itemsOf(sender.id);
    expect(items.map((i) => i.senderShareId).sort()).toEqual(offered.map((s) => s.share_id).sort());
    const ok = remote.requests.filter((r) => r.route === "pickup");
    expect(ok.length).toBeGreaterThanOrEqual(3);
    await stopPolling(sender.id);
  });

  it("records a 5xx, a redirect (never followed), an unreachable console and a refused signature, then recovers", async () => {
    const { sender, remote } = await remotePartner();
    const share = await offer(remote, sender);
    remote.fault("list", 503);
    expect(await pollPartnerPickups(w.t.db, sender.id, { now: new Date() })).toMatchObject({
      taken: 0,
      error: "listing shares: HTTP 503 internal_error",
    });
    expect((await partnerRow(sender.id)).pickupError).toBe("listing shares: HTTP 503 internal_error");

    const elsewhere = await startRemoteConsole();
    consoles.push(elsewhere);
    remote.fault("list", { redirect: `${elsewhere.origin}/api/partner/v1/shares` });
    expect((await pollPartnerPickups(w.t.db, sender.id, { now: new Date() }))!.error).toBe(
      "listing shares: HTTP 302",
    );
    expect(elsewhere.requests).toHaveLength(0);

    remote.fault("pickup", 500);
    expect((await pollPartnerPickups(w.t.db, sender.id, { now: new Date() }))!.error).toBe(
      `picking up share ${share.share_id}: HTTP 500 internal_error`,
    );
    expect(await itemsOf(sender.id)).toHaveLength(0);

    // A wrong secret (we rotated ours in): the remote refuses every signature.
    await rotatePartnerSecret(managerCtx(), sender.id, { overlapHours: 0 });
    expect((await pollPartnerPickups(w.t.db, sender.id, { now: new Date() }))!.error).toBe(
      "listing shares: HTTP 401 invalid_signature",
    );
    await rotatePartnerSecret(managerCtx(), sender.id, { overlapHours: 0, secret: remote.secret });

    const closed = await startRemoteConsole();
    await closed.close();
    await w.t.db.update(partners).set({ partnerApiBaseUrl: closed.origin }).where(eq(partners.id, sender.id));
    expect((await pollPartnerPickups(w.t.db, sender.id, { now: new Date() }))!.error).toBe(
      "listing shares: could not reach the partner's console (ECONNREFUSED)",
    );

    await w.t.db.update(partners).set({ partnerApiBaseUrl: remote.origin }).where(eq(partners.id, sender.id));
    expect(await pollPartnerPickups(w.t.db, sender.id, { now: new Date() })).toMatchObject({
      taken: 1,
      error: null,
    });
    expect((await partnerRow(sender.id)).pickupError).toBeNull();
    // No error text carries a secret; no audit event for the failed polls.
    expect(await pickupAudits(sender.id)).toHaveLength(1);
    await stopPolling(sender.id);
  });

  it("gives up a request after 10 s without an answer, and records it", { timeout: 30_000 }, async () => {
    const { sender, remote } = await remotePartner();
    remote.fault("list", "hang");
    const started = Date.now();
    const result = await pollPartnerPickups(w.t.db, sender.id, { now: new Date() });
    expect(Date.now() - started).toBeGreaterThanOrEqual(9_500);
    expect(result!.error).toBe("listing shares: no answer within 10 s");
    expect((await partnerRow(sender.id)).pickupError).toBe("listing shares: no answer within 10 s");
    await stopPolling(sender.id);
  });

  it("a token our checks refuse is audited as refused and counted; it is not stored", async () => {
    const { sender, remote } = await remotePartner();
    await w.t.db
      .update(partners)
      .set({ allowedKinds: ["business"] })
      .where(eq(partners.id, sender.id));
    const share = await offer(remote, sender);
    expect(await pollPartnerPickups(w.t.db, sender.id, { now: new Date() })).toMatchObject({
      taken: 0,
      refused: 1,
      error: null,
    });
    expect(await itemsOf(sender.id)).toHaveLength(0);
    const refusals = await w.t.db.select().from(auditEvents).where(eq(auditEvents.action, "inbox.refused"));
    expect(
      refusals.find((r) => (r.data as { tokenHash?: string }).tokenHash === tokenHash(share.share_token)),
    ).toMatchObject({ data: { source: "pickup", code: "kind_not_allowed", senderShareId: share.share_id } });
    expect((await pickupAudits(sender.id))[0]!.data).toMatchObject({ taken: 0, refused: 1 });
    await stopPolling(sender.id);
  });

  it("runs as a job every interval while the partner qualifies; scheduled at boot once per slot", async () => {
    const { sender, remote } = await remotePartner();
    await offer(remote, sender);
    const interval = pickupIntervalMs();
    expect(interval).toBe(45_000);
    const now = new Date();
    // Boot twice in one slot (two instances): one job.
    await schedulePickupPolls(w.t.db, now);
    await schedulePickupPolls(w.t.db, now);
    const queued = (await pollJobs(sender.id)).filter((j) => j.state === "pending");
    // The partner's creation queued none here (inserted directly): boot's is the only one.
    expect(queued).toHaveLength(1);
    expect(queued[0]!.payload).toEqual({ partnerId: sender.id });

    const run = await runDueJobs(w.t.db, { now, queues: [PICKUP_QUEUE] });
    expect(run.done).toBeGreaterThanOrEqual(1);
    expect(await itemsOf(sender.id)).toHaveLength(1);
    const next = (await pollJobs(sender.id)).filter((j) => j.state === "pending");
    expect(next).toHaveLength(1);
    const at = next[0]!.runAt.getTime();
    expect(at).toBeGreaterThan(now.getTime());
    expect(at).toBeLessThanOrEqual(now.getTime() + interval);
    expect(at % interval).toBe(0);
    // Boot again in the next slot: still one pending poll.
    await schedulePickupPolls(w.t.db, new Date(at));
    expect((await pollJobs(sender.id)).filter((j) => j.state === "pending")).toHaveLength(1);

    // Once the partner no longer qualifies the chain ends.
    await stopPolling(sender.id);
    await runDueJobs(w.t.db, { now: new Date(at), queues: [PICKUP_QUEUE] });
    expect((await pollJobs(sender.id)).filter((j) => j.state === "pending")).toHaveLength(0);
    expect(JSON.stringify(await pollJobs(sender.id))).not.toContain(remote.secret.slice(6));
  });

  it("keeps tokens and secrets out of logs, job rows and partner rows (only the sealed token)", async () => {
    const text = await databaseText(w.t.db);
    for (const token of tokens) {
      expect(text).not.toContain(token);
      expect(logs.text()).not.toContain(token);
    }
    for (const c of consoles) {
      expect(text).not.toContain(c.secret.slice(6));
      expect(logs.text()).not.toContain(c.secret.slice(6));
    }
  });
});
