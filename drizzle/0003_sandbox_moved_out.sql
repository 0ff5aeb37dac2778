-- The Didit sandbox keeps its tables in a migration set of its own (drizzle-sandbox/), applied only
-- while SANDBOX_ENABLED is on; the copy that migration 0002 created here is removed.
DROP TABLE "sandbox"."api_keys" CASCADE;--> statement-breakpoint
DROP TABLE "sandbox"."applications" CASCADE;--> statement-breakpoint
DROP TABLE "sandbox"."clock" CASCADE;--> statement-breakpoint
DROP TABLE "sandbox"."entities" CASCADE;--> statement-breakpoint
DROP TABLE "sandbox"."imports" CASCADE;--> statement-breakpoint
DROP TABLE "sandbox"."sessions" CASCADE;--> statement-breakpoint
DROP TABLE "sandbox"."shares" CASCADE;--> statement-breakpoint
DROP TABLE "sandbox"."webhook_deliveries" CASCADE;--> statement-breakpoint
DROP TABLE "sandbox"."webhook_destinations" CASCADE;--> statement-breakpoint
DROP TABLE "sandbox"."workflows" CASCADE;--> statement-breakpoint
DROP SCHEMA IF EXISTS "sandbox" CASCADE;
