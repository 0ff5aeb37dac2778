import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";
import { migrationStatus, readJournal } from "./migrate";
import { rowsOf } from "./types";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ install: false, sandbox: false });
});
afterAll(() => t.close());

describe(`migrations (${testDriver()})`, () => {
  it("apply every migration to an empty database", async () => {
    const status = await migrationStatus(t.db);
    expect(status.expected).toBe(readJournal().entries.length);
    expect(status).toMatchObject({ applied: status.expected, pending: 0 });
    const tables = rowsOf<{ table_name: string }>(
      await t.db.execute(
        sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`,
      ),
    ).map((r) => r.table_name);
    expect(tables).toEqual(expect.arrayContaining(["audit_events", "login_throttles", "users"]));
    const triggers = rowsOf<{ tgname: string }>(
      await t.db.execute(
        sql`select tgname from pg_trigger where tgrelid = 'audit_events'::regclass and not tgisinternal`,
      ),
    ).map((r) => r.tgname);
    expect(triggers.sort()).toEqual(["audit_events_no_truncate", "audit_events_no_update_delete"]);
  });
});

const schemas = async (db: TestDatabase["db"]) =>
  rowsOf<{ nspname: string }>(
    await db.execute(
      sql`select nspname from pg_namespace where nspname in ('sandbox', 'drizzle') order by 1`,
    ),
  ).map((r) => r.nspname);

describe(`migrations with the sandbox off (${testDriver()})`, () => {
  it("a database migrated with the sandbox off has no sandbox schema or tables", async () => {
    const off = await createTestDatabase({ install: false, sandbox: false });
    try {
      expect(await schemas(off.db)).toEqual(["drizzle"]);
      const tables = rowsOf<{ n: number }>(
        await off.db.execute(
          sql`select count(*)::int as n from information_schema.tables where table_schema = 'sandbox'`,
        ),
      );
      expect(Number(tables[0]!.n)).toBe(0);
    } finally {
      await off.close();
    }
  });
});
