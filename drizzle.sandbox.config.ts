import { defineConfig } from "drizzle-kit";

/** The Didit sandbox's own migration set: applied only while SANDBOX_ENABLED is on. */
export default defineConfig({
  dialect: "postgresql",
  schema: "./lib/server/sandbox/schema.ts",
  out: "./drizzle-sandbox",
  schemaFilter: ["sandbox"],
});
