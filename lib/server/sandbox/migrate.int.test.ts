import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { migrationStatus } from "@/lib/server/db/migrate";
import { rowsOf } from "@/lib/server/db/types";
import { createTestDatabase, testDriver, type TestDatabase } from "@/test/database";
import { migrateSandbox, SANDBOX_MIGRATIONS_FOLDER, SANDBOX_MIGRATIONS_TABLE } from "./migrate";

/** Every migration of the set, as drizzle-kit's journal lists them. */
const journalEntries = (
  JSON.parse(readFileSync(path.join(SANDBOX_MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8")) as {
    entries: unknown[];
  }
).entries.length;

const schemas = async (db: TestDatabase["db"]) =>
  rowsOf<{ nspname: string }>(
    await db.execute(
      sql`select nspname from pg_namespace where nspname in ('sandbox', 'drizzle') order by 1`,
    ),
  ).map((r) => r.nspname);

describe(`the sandbox's own migrations (${testDriver()})`, () => {
  it("the sandbox's own set adds its schema, is recorded apart, and applies once", async () => {
    const on = await createTestDatabase({ install: false, sandbox: true });
    try {
      expect(await schemas(on.db)).toEqual(["drizzle", "sandbox"]);
      await migrateSandbox(on.db); // a second run changes nothing
      const applied = rowsOf<{ n: number }>(
        await on.db.execute(sql.raw(`select count(*)::int as n from drizzle.${SANDBOX_MIGRATIONS_TABLE}`)),
      );
      expect(journalEntries).toBeGreaterThanOrEqual(2);
      expect(Number(applied[0]!.n)).toBe(journalEntries);
      const status = await migrationStatus(on.db);
      expect(status.pending).toBe(0);
      const tables = rowsOf<{ table_name: string }>(
        await on.db.execute(
          sql`select table_name from information_schema.tables where table_schema = 'sandbox' order by 1`,
        ),
      ).map((r) => r.table_name);
      expect(tables).toEqual(
        expect.arrayContaining(["applications", "sessions", "imports", "shares", "share_clocks"]),
      );
    } finally {
      await on.close();
    }
  });
});
