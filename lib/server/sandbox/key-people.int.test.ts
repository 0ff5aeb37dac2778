import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { generateSession } from "@/lib/server/sandbox/generator";
import { sandboxSessions } from "@/lib/server/sandbox/schema";
import { testDriver } from "@/test/database";
import { PROFILES, sandboxHttpSuite } from "@/test/sandbox-fixtures";

/** The operator's `key_people_count` (KYB): a company with as many key people as a test needs. */

const sandbox = sandboxHttpSuite();

const sessionCount = async () =>
  Number((await sandbox.t.db.select({ n: sql<number>`count(*)::int` }).from(sandboxSessions))[0]!.n);

type KeyPerson = { full_name: string; ownership_percentage: number; role: string };
const peopleOf = (body: unknown) => (body as { key_people_checks: KeyPerson[] }).key_people_checks;

describe(`sandbox key_people_count (${testDriver()})`, () => {
  for (const profile of PROFILES) {
    it(`a ${profile} KYB session has exactly the key people asked for, owners sharing at most 100 %`, async () => {
      const app = await sandbox.api.newApp(profile);
      for (const count of [1, 20, 50]) {
        const res = await sandbox.api.admin("POST", "/sessions", {
          application_id: app.id,
          session_kind: "business",
          status: "Approved",
          seed: 7,
          key_people_count: count,
        });
        expect(res.status, res.text).toBe(201);
        const people = peopleOf(res.body);
        expect(people).toHaveLength(count);
        expect(people[0]!.role).toBe("Director");
        const owned = people.reduce((sum, p) => sum + p.ownership_percentage, 0);
        expect(owned).toBeLessThanOrEqual(100.0001);
        // The decision Didit's clients read holds the same people.
        const decision = await sandbox.api.decision(app.key, (res.body as { session_id: string }).session_id);
        expect(peopleOf(decision.body)).toHaveLength(count);
      }
    });
  }

  it("without the option a seed keeps its one to four key people and its company", async () => {
    const app = await sandbox.api.newApp("recipe");
    const opts = {
      kind: "business",
      status: "Approved",
      createdAt: new Date("2026-11-01T00:00:00Z"),
    } as const;
    const plain = generateSession(11, opts);
    const many = generateSession(11, { ...opts, keyPeopleCount: 20 });
    expect(many.summary).toEqual(plain.summary);
    const plainPeople = (plain.payload.key_people_checks as unknown[]).length;
    expect(plainPeople).toBeGreaterThanOrEqual(1);
    expect(plainPeople).toBeLessThanOrEqual(4);
    expect(many.payload.key_people_checks as unknown[]).toHaveLength(20);
    const res = await sandbox.api.admin("POST", "/sessions", {
      application_id: app.id,
      session_kind: "business",
      status: "Approved",
      seed: 11,
    });
    expect(res.status, res.text).toBe(201);
    expect(peopleOf(res.body).length).toBeLessThanOrEqual(4);
  });

  it("refuses a count out of range, not an integer, or on a KYC session, and creates nothing", async () => {
    const app = await sandbox.api.newApp("recipe");
    const before = await sessionCount();
    for (const [kind, value] of [
      ["business", 0],
      ["business", 51],
      ["business", 2.5],
      ["business", "20"],
      ["user", 3],
    ] as const) {
      const bad = await sandbox.api.admin("POST", "/sessions", {
        application_id: app.id,
        session_kind: kind,
        status: "Approved",
        key_people_count: value,
      });
      expect(bad.status, `${kind} ${String(value)}`).toBe(400);
      expect(bad.body).toHaveProperty("key_people_count");
    }
    expect(await sessionCount()).toBe(before);
  });
});
