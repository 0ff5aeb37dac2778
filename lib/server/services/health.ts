import "server-only";
import { sql } from "drizzle-orm";
import packageJson from "@/package.json";
import { migrationStatus, type MigrationStatus } from "@/lib/server/db/migrate";
import type { DatabaseDriver, Db } from "@/lib/server/db/types";

export type Health = {
  status: "ok" | "degraded" | "down";
  database: DatabaseDriver;
  migrations: MigrationStatus;
  version: string;
};

export async function getHealth(db: Db, driver: DatabaseDriver): Promise<Health> {
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
