import { getEnv } from "@/lib/env";
import { openPglite, openPostgres } from "@/lib/server/db/open";
import { verifyAuditChain } from "@/lib/server/services/audit";

async function main() {
  const env = getEnv();
  const handle = env.DATABASE_URL
    ? openPostgres(env.DATABASE_URL, { max: 1 })
    : await openPglite(env.pgliteDir);
  try {
    const result = await verifyAuditChain(handle.db);
    if (result.ok) {
      console.log(`Audit chain intact: ${result.checked} events verified.`);
    } else {
      console.error(`Audit chain BROKEN after ${result.checked} good events. ${result.message}`);
      process.exitCode = 1;
    }
  } finally {
    await handle.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});
