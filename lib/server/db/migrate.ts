import "server-only";
import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "./types";

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "drizzle");

type Journal = { entries: { idx: number; tag: string; when: number }[] };

let journalCache: Journal | undefined;
export function readJournal(): Journal {
  journalCache ??= JSON.parse(
    readFileSync(path.join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8"),
  ) as Journal;
  return journalCache;
}

export type MigrationStatus = { applied: number; expected: number; pending: number; latest: string | null };

/** What the database has applied, from drizzle's own bookkeeping table. */
export async function migrationStatus(db: Db): Promise<MigrationStatus> {
  const journal = readJournal();
  const expected = journal.entries.length;
  let applied = 0;
  try {
    const rows = rowsOf<{ n: number | string }>(
      await db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`),
    );
    applied = Number(rows[0]?.n ?? 0);
  } catch {
    applied = 0;
  }
  const latest = applied > 0 ? (journal.entries[Math.min(applied, expected) - 1]?.tag ?? null) : null;
  return { applied, expected, pending: Math.max(0, expected - applied), latest };
}
