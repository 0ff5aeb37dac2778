import "server-only";
import { sql } from "drizzle-orm";
import packageJson from "@/package.json";
import { getDriver } from "@/lib/server/db/client";
import { migrationStatus, type MigrationStatus } from "@/lib/server/db/migrate";
import type { DatabaseDriver, Db } from "@/lib/server/db/types";

export type Health = {
  status: "ok" | "degraded" | "down";
  database: DatabaseDriver;
  migrations: MigrationStatus;
  version: string;
};

/** The process database's state; `driver` defaults to the process database's own. */
export async function getHealth(db: Db, driver?: DatabaseDriver): Promise<Health> {
  driver ??= await getDriver();
  try {
    await db.execute(sql`select 1`);
    const migrations = await migrationStatus(db);
    return {
      status: migrations.pending === 0 ? "ok" : "degraded",
      database: driver,
      migrations,
      version: packageJson.version,
    };
  } catch {
    return {
      status: "down",
      database: driver,
      migrations: { applied: 0, expected: 0, pending: 0, latest: null },
      version: packageJson.version,
    };
  }
}
