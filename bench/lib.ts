/** What the benchmarks share: percentiles, a scratch PostgreSQL database, and how a run ends. */
import postgres from "postgres";

/** The p-th percentile (nearest rank) of values sorted ascending; 0 for none. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * A fresh database `<prefix>_<time>` on the server of `adminUrl` (not migrated). `drop()` removes it
 * and closes the admin connection; `drop(true)` keeps it and says so.
 */
export async function createScratchDatabase(adminUrl: string, prefix: string) {
  const name = `${prefix}_${Date.now().toString(36)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    admin,
    async drop(keep = false) {
      if (keep) console.log(`kept database ${name}`);
      else await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

/**
 * Runs a benchmark's main and exits with its code; a failure prints its cause (a failed query's
 * message carries its parameters, megabytes of rows: the cause only), with its stack if asked.
 */
export function runMain(main: () => Promise<number>, { stack = false }: { stack?: boolean } = {}) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      console.error(
        cause instanceof Error ? (stack ? (cause.stack ?? cause.message) : cause.message) : cause,
      );
      process.exit(1);
    },
  );
}
