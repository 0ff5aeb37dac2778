import { getEnv } from "@/lib/env";
import { createUserRequestSchema } from "@/lib/schemas/users";
import { openPglite, openPostgres } from "@/lib/server/db/open";
import { systemContext } from "@/lib/server/kernel";
import { bootstrapAdmin } from "@/lib/server/services/access";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main() {
  const parsed = createUserRequestSchema.safeParse({ email: arg("email"), name: arg("name"), role: "admin" });
  if (!parsed.success) {
    console.error('Usage: npm run users:create-admin -- --email ada@example.com --name "Ada Lovelace"');
    for (const issue of parsed.error.issues) console.error(`  ${issue.path.join(".")}: ${issue.message}`);
    process.exit(2);
  }
  const env = getEnv();
  const handle = env.DATABASE_URL
    ? openPostgres(env.DATABASE_URL, { max: 1 })
    : await openPglite(env.pgliteDir);
  try {
    const { user, initialPassword } = await bootstrapAdmin(systemContext(handle.db), parsed.data);
    console.log(
      `Created admin ${user.email}. One-time password (shown once, to be changed at the first sign-in): ${initialPassword}`,
    );
  } finally {
    await handle.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
