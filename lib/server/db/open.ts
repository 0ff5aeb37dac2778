import "server-only";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { MIGRATIONS_FOLDER } from "./migrate";
import * as schema from "./schema";
import type { DatabaseHandle, Db } from "./types";
import { acquirePgliteLock } from "./pglite-lock";

/** Opens PGlite at `dir` (or in memory when null), takes the directory lock, applies migrations. */
export async function openPglite(dir: string | null): Promise<DatabaseHandle> {
  const release = dir ? acquirePgliteLock(dir) : () => undefined;
  try {
    // pg_trgm: the session picker's search index (migration 0007).
    const extensions = { pg_trgm };
    const client = dir ? await PGlite.create(dir, { extensions }) : await PGlite.create({ extensions });
    const db = drizzlePglite({ client, schema }) as unknown as Db;
    await migratePglite(drizzlePglite({ client, schema }), { migrationsFolder: MIGRATIONS_FOLDER });
    return {
      db,
      driver: "pglite",
      close: async () => {
        await client.close();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

/** Connects postgres.js; migrations are applied by `npm run db:migrate`, not here. */
export function openPostgres(url: string, options: { max?: number } = {}): DatabaseHandle {
  const client = postgres(url, { max: options.max ?? 10, onnotice: () => undefined });
  const db = drizzlePostgres({ client, schema }) as unknown as Db;
  return { db, driver: "postgres", close: () => client.end({ timeout: 5 }) };
}

/** Applies pending migrations to PostgreSQL under an advisory lock, so two instances never race. */
export async function migratePostgresUrl(url: string): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await client`select pg_advisory_lock(727274001)`;
    await migratePostgres(drizzlePostgres({ client, schema }), { migrationsFolder: MIGRATIONS_FOLDER });
    await client`select pg_advisory_unlock(727274001)`;
  } finally {
    await client.end({ timeout: 5 });
  }
}
