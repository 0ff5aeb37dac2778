import { getEnv } from "@/lib/env";
import { openPglite, openPostgres } from "@/lib/server/db/open";
import { migrateSandbox } from "@/lib/server/sandbox/migrate";
import { seedSandboxDemo } from "@/lib/server/sandbox/demo-seed";
import { seedDemoConnections } from "@/lib/server/services/applications";
import { DEMO_USERS, seedDemo } from "@/lib/server/seed";

async function main() {
  const env = getEnv();
  if (env.NODE_ENV === "production") {
    console.error("Refusing to create demo users with known passwords when NODE_ENV=production.");
    process.exit(1);
  }
  const handle = env.DATABASE_URL
    ? openPostgres(env.DATABASE_URL, { max: 2 })
    : await openPglite(env.pgliteDir);
  try {
    const { created } = await seedDemo(handle.db, { nodeEnv: env.NODE_ENV });
    if (created === 0) console.log("Users already exist: nothing seeded.");
    else console.log(`Created ${created} demo users: ${DEMO_USERS.map((u) => u.email).join(", ")}`);
    if (env.SANDBOX_ENABLED) {
      if (!env.DATABASE_URL) await migrateSandbox(handle.db);
      const demo = await seedSandboxDemo(handle.db, { now: new Date() });
      if (demo.created)
        console.log(`Created the sandbox demo applications (${demo.sessions} sessions): ${demo.file}`);
      else console.log("Sandbox applications already exist: sandbox demo not seeded.");
      const connected = await seedDemoConnections(handle.db);
      if (connected.created > 0) {
        console.log(
          `Connected ${connected.created} demo applications with ${connected.partners} partners; their setup (key test, webhook, sync) runs when the console starts.`,
        );
      } else if (connected.rekeyed > 0) {
        console.log(`Re-sealed the new keys of ${connected.rekeyed} demo applications.`);
      } else console.log("Connected applications already exist: demo connections not seeded.");
    }
  } finally {
    await handle.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
