import "server-only";
import path from "node:path";
import { readMigrationFiles } from "drizzle-orm/migrator";
import type { Db } from "@/lib/server/db/types";

/**
 * The sandbox's own migration set (drizzle-sandbox/, generated from ./schema.ts with
 * drizzle.sandbox.config.ts). Applied only while the sandbox is on, so a production database with
 * it off has no `sandbox` schema. Its bookkeeping sits beside the product's, in schema `drizzle`.
 */
export const SANDBOX_MIGRATIONS_FOLDER = path.join(process.cwd(), "drizzle-sandbox");
export const SANDBOX_MIGRATIONS_TABLE = "__drizzle_sandbox_migrations";

type Migrator = {
  dialect: { migrate(m: unknown, session: unknown, config: unknown): Promise<void> };
  session: unknown;
};

/** Applies the sandbox's pending migrations on either driver (drizzle's own per-driver migrate does exactly this). */
export async function migrateSandbox(db: Db): Promise<void> {
  const config = {
    migrationsFolder: SANDBOX_MIGRATIONS_FOLDER,
    migrationsTable: SANDBOX_MIGRATIONS_TABLE,
    migrationsSchema: "drizzle",
  };
  const migrations = readMigrationFiles(config);
  const { dialect, session } = db as unknown as Migrator;
  await dialect.migrate(migrations, session, config);
}
