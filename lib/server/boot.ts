import "server-only";
import { EnvError, getEnv, type Env } from "@/lib/env";
import { getDatabase } from "@/lib/server/db/client";
import type { Db } from "@/lib/server/db/types";
import { startJobWorker, stopJobWorker } from "@/lib/server/jobs";
import { migrationStatus } from "@/lib/server/db/migrate";
import { PgliteLockedError } from "@/lib/server/db/pglite-lock";
import { getLogger } from "@/lib/server/logger";
import { seedDemo } from "@/lib/server/seed";
import { scheduleApplicationChecks } from "@/lib/server/services/applications";
import { registerProductJobs } from "@/lib/server/services/jobs";
import { scheduleMaintenance } from "@/lib/server/services/operations";
import { schedulePickupPolls } from "@/lib/server/services/partners";
import { scheduleRetention } from "@/lib/server/services/compliance";

/**
 * Runs once per server process (instrumentation.ts): validates configuration, opens the database
 * (the embedded one migrates itself, and seeds demo data on first start outside production).
 * This is the one composition root that may start the Didit sandbox: only while it is on, and
 * loaded lazily, so with SANDBOX_ENABLED=false none of its code or tables is touched.
 */
export async function boot(): Promise<void> {
  let env;
  try {
    env = getEnv();
  } catch (error) {
    console.error(`[handoff] ${error instanceof EnvError ? error.message : String(error)}`);
    process.exit(1);
  }
  const log = getLogger().child({ component: "boot" });
  if (env.generatedSecrets.length > 0) {
    log.info(
      { generated: env.generatedSecrets },
      `development secrets kept in ${env.HANDOFF_DATA_DIR}/secrets.json`,
    );
  }
  if (env.SANDBOX_ENABLED && env.newlyGeneratedSecrets.includes("SANDBOX_ADMIN_TOKEN")) {
    // Printed once, on the start that generated it, so a developer can call the sandbox admin API.
    console.log(
      `[handoff] Didit sandbox admin token: ${env.SANDBOX_ADMIN_TOKEN}\n` +
        `[handoff] (kept in ${env.HANDOFF_DATA_DIR}/secrets.json; send it as "Authorization: Bearer <token>" to /sandbox/admin/...)`,
    );
  }
  try {
    const { db, driver } = await getDatabase();
    if (driver === "pglite") {
      log.info({ dir: env.pgliteDir }, "embedded database ready");
      if (env.SANDBOX_ENABLED) {
        const { migrateSandbox } = await import("@/lib/server/sandbox/migrate");
        await migrateSandbox(db);
      }
      const seedDemoData = env.HANDOFF_SEED_DEMO ?? env.NODE_ENV !== "production";
      if (seedDemoData) {
        const { created } = await seedDemo(db, { nodeEnv: env.NODE_ENV });
        if (created > 0) log.info({ created }, "demo users created (see README for the logins)");
        if (env.SANDBOX_ENABLED) {
          // Demo data is a convenience: a failure is logged, not fatal to the console.
          try {
            const { seedSandboxDemo } = await import("@/lib/server/sandbox/demo-seed");
            const demo = await seedSandboxDemo(db, { now: new Date() });
            if (demo.file) {
              log.info(
                { sessions: demo.sessions, file: demo.file },
                demo.created ? "sandbox demo applications created" : "sandbox demo keys re-issued",
              );
            }
          } catch (error) {
            log.error(
              { err: error instanceof Error ? error.message : String(error) },
              "sandbox demo seed failed",
            );
          }
          // The sandbox's Northwind applications connected to the console, partners both ways.
          try {
            const { seedDemoConnections } = await import("@/lib/server/services/applications");
            const connected = await seedDemoConnections(db);
            if (connected.created > 0 || connected.rekeyed > 0)
              log.info(connected, "demo connections seeded");
          } catch (error) {
            log.error(
              { err: error instanceof Error ? error.message : String(error) },
              "demo connections seed failed",
            );
          }
        }
      }
    } else {
      const status = await migrationStatus(db);
      if (status.pending > 0) {
        log.warn({ pending: status.pending }, "database migrations are pending: run `npm run db:migrate`");
      }
    }
    // The sandbox's handlers exist only while it is on: with it off, its queue is never claimed.
    if (env.SANDBOX_ENABLED) {
      const { registerWebhookDeliveryHandler } = await import("@/lib/server/sandbox/webhooks");
      registerWebhookDeliveryHandler();
    }
    registerProductJobs();
    // Connected applications' webhooks still point at this console (it may listen elsewhere now).
    await scheduleApplicationChecks(db).catch((error: unknown) =>
      log.warn(
        { err: error instanceof Error ? error.message : String(error) },
        "application checks not scheduled",
      ),
    );
    // Partners' consoles offering pick-up: each polled now, then every PICKUP_INTERVAL_MS.
    await schedulePickupPolls(db).catch((error: unknown) =>
      log.warn(
        { err: error instanceof Error ? error.message : String(error) },
        "pick-up polls not scheduled",
      ),
    );
    // Housekeeping only: an unmigrated PostgreSQL (warned about above) must not stop the start.
    await scheduleMaintenance(db, new Date()).catch((error: unknown) =>
      log.warn({ err: error instanceof Error ? error.message : String(error) }, "maintenance not scheduled"),
    );
    // Retention of personal data per application: today's run (each run queues the next day's).
    await scheduleRetention(db, new Date()).catch((error: unknown) =>
      log.warn({ err: error instanceof Error ? error.message : String(error) }, "retention not scheduled"),
    );
    if (env.JOBS_WORKER_ENABLED) startWorker(db, env);
  } catch (error) {
    if (error instanceof PgliteLockedError) {
      console.error(`[handoff] ${error.message}`);
      process.exit(1);
    }
    log.error({ err: error }, "database start-up failed");
    throw error;
  }
}

/**
 * The process's job worker. On SIGTERM/SIGINT it stops claiming and gives back what it cannot
 * finish in time; Next's own handler may exit first, and then the lease brings those jobs back.
 */
function startWorker(db: Db, env: Env): void {
  startJobWorker(db, {
    concurrency: env.JOBS_CONCURRENCY,
    pollIntervalMs: env.JOBS_POLL_INTERVAL_MS,
    leaseMs: env.JOBS_LEASE_MS,
  });
  const onSignal = (signal: NodeJS.Signals) => {
    // Ours is a `once` listener, already removed: with no other listener (Next's), re-raise the
    // signal after the stop so the process still ends.
    const handledElsewhere = process.listenerCount(signal) > 0;
    void stopJobWorker({ timeoutMs: 5000 }).finally(() => {
      if (!handledElsewhere) process.kill(process.pid, signal);
    });
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
}
