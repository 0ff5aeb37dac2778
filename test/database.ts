import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { getEnv } from "@/lib/env";
import { setDatabase } from "@/lib/server/db/client";
import { migratePostgresUrl, openPglite, openPostgres } from "@/lib/server/db/open";
import type { DatabaseHandle } from "@/lib/server/db/types";
import { migrateSandbox } from "@/lib/server/sandbox/migrate";

/** Which driver this Vitest project exercises: set per project in vitest.config.ts. */
export function testDriver(): "pglite" | "postgres" {
  return process.env.TEST_DB_DRIVER === "postgres" ? "postgres" : "pglite";
}

export type TestDatabase = DatabaseHandle & { name: string; url: string | null };

/**
 * A fresh, migrated database for one suite: an in-memory PGlite, or a newly created PostgreSQL
 * database on TEST_DATABASE_URL's server (dropped again by `close`). Also installed as the
 * process database, so route handlers under test use it. The sandbox's own migrations are applied
 * too unless `sandbox: false` (a database as production has it with the sandbox off).
 */
export async function createTestDatabase(
  options: { install?: boolean; sandbox?: boolean } = {},
): Promise<TestDatabase> {
  let handle: TestDatabase;
  if (testDriver() === "postgres") {
    const adminUrl = getEnv().TEST_DATABASE_URL;
    if (!adminUrl) throw new Error("TEST_DATABASE_URL is required for the postgres test project");
    const name = `handoff_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
    await admin.unsafe(`create database "${name}"`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    await migratePostgresUrl(url.toString());
    const inner = openPostgres(url.toString(), { max: 20 });
    handle = {
      ...inner,
      name,
      url: url.toString(),
      close: async () => {
        await inner.close();
        const drop = postgres(adminUrl, { max: 1, onnotice: () => undefined });
        await drop.unsafe(`drop database if exists "${name}" with (force)`);
        await drop.end();
      },
    };
  } else {
    const inner = await openPglite(null);
    handle = { ...inner, name: "memory", url: null };
  }
  if (options.sandbox !== false) await migrateSandbox(handle.db);
  if (options.install !== false) setDatabase(handle);
  return handle;
}
