import { getEnv } from "@/lib/env";
import { openPglite, openPostgres } from "@/lib/server/db/open";
import { reencryptSecrets } from "@/lib/server/services/operations";

/**
 * `npm run keys:reencrypt`: after HANDOFF_ENCRYPTION_KEY was replaced (the old one given as
 * HANDOFF_ENCRYPTION_KEY_PREVIOUS), seals every stored secret under the new key. See
 * docs/operations.md. Exit code 1 when some envelope opened under neither key.
 */
async function main() {
  const env = getEnv();
  if (!env.HANDOFF_ENCRYPTION_KEY_PREVIOUS) {
    console.log(
      "HANDOFF_ENCRYPTION_KEY_PREVIOUS is not set: envelopes under an older key cannot be opened. Checking what is there anyway.",
    );
  }
  const handle = env.DATABASE_URL
    ? openPostgres(env.DATABASE_URL, { max: 2 })
    : await openPglite(env.pgliteDir);
  try {
    const { targets, total } = await reencryptSecrets(handle.db);
    for (const [name, c] of Object.entries(targets)) {
      console.log(
        `${name.padEnd(40)} ${String(c.resealed).padStart(6)} re-sealed, ${c.current} already current, ${c.unreadable} unreadable`,
      );
    }
    console.log(
      `Total: ${total.resealed} re-sealed, ${total.current} already current, ${total.unreadable} unreadable (of ${total.scanned}).`,
    );
    if (total.unreadable > 0) {
      console.error(
        "Some secrets open under neither key: set HANDOFF_ENCRYPTION_KEY_PREVIOUS to the key they were sealed with and run again.",
      );
      process.exitCode = 1;
    } else {
      console.log(
        "Every secret is under the current key: HANDOFF_ENCRYPTION_KEY_PREVIOUS can now be removed.",
      );
    }
  } finally {
    await handle.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
