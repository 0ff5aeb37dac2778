import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { rowsOf, type DbOrTx } from "@/lib/server/db/types";

/** The lineage's SQL helpers: raw queries over uuid arrays, and timestamps as the DTOs carry them. */

/** A uuid array as one parameter (`= any(...)`), whatever the number of ids. */
export function idArray(ids: readonly string[]): SQL {
  return sql`${`{${ids.join(",")}}`}::uuid[]`;
}

export function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const d = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export async function query<T>(db: DbOrTx, q: SQL): Promise<T[]> {
  return rowsOf<T>(await db.execute(q));
}
