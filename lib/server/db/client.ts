import "server-only";
import { getEnv } from "@/lib/env";
import { openPglite, openPostgres } from "./open";
import type { DatabaseHandle, Db, DatabaseDriver } from "./types";

/**
 * One database handle per process, kept on globalThis so that hot reloads and separately bundled
 * modules share it (two PGlite instances on one directory would lose rows).
 */
const store = globalThis as unknown as { __handoffDb?: Promise<DatabaseHandle> };

export function getDatabase(): Promise<DatabaseHandle> {
  if (!store.__handoffDb) {
    const env = getEnv();
    store.__handoffDb = (
      env.DATABASE_URL ? Promise.resolve(openPostgres(env.DATABASE_URL)) : openPglite(env.pgliteDir)
    ).catch((error: unknown) => {
      store.__handoffDb = undefined;
      throw error;
    });
  }
  return store.__handoffDb;
}

export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}

export async function getDriver(): Promise<DatabaseDriver> {
  return (await getDatabase()).driver;
}

/** Installs a handle as the process database (tests, scripts). */
export function setDatabase(handle: DatabaseHandle): void {
  store.__handoffDb = Promise.resolve(handle);
}

export async function closeDatabase(): Promise<void> {
  const handle = store.__handoffDb;
  store.__handoffDb = undefined;
  if (handle) await (await handle).close();
}
