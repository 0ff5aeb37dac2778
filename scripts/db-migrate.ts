import { getEnv } from "@/lib/env";
import { openPglite, migratePostgresUrl } from "@/lib/server/db/open";

async function main() {
  const env = getEnv();
  if (env.DATABASE_URL) {
    await migratePostgresUrl(env.DATABASE_URL);
    console.log("PostgreSQL: migrations applied.");
  } else {
    const handle = await openPglite(env.pgliteDir);
    await handle.close();
    console.log(`Embedded database ${env.pgliteDir}: migrations applied.`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
