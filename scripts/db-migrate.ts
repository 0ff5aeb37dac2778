import { getEnv } from "@/lib/env";
import { openPglite, migratePostgresUrl, openPostgres } from "@/lib/server/db/open";
import { migrateSandbox } from "@/lib/server/sandbox/migrate";

/** Applies Handoff's migrations, and the Didit sandbox's own set only while SANDBOX_ENABLED is on. */
async function main() {
  const env = getEnv();
  if (env.DATABASE_URL) {
    await migratePostgresUrl(env.DATABASE_URL);
    if (env.SANDBOX_ENABLED) {
      const handle = openPostgres(env.DATABASE_URL, { max: 1 });
      try {
        await migrateSandbox(handle.db);
      } finally {
        await handle.close();
      }
    }
    console.log(`PostgreSQL: migrations applied${env.SANDBOX_ENABLED ? " (with the sandbox's)" : ""}.`);
  } else {
    const handle = await openPglite(env.pgliteDir);
    if (env.SANDBOX_ENABLED) await migrateSandbox(handle.db);
    await handle.close();
    console.log(`Embedded database ${env.pgliteDir}: migrations applied.`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
