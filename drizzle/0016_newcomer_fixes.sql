CREATE TABLE "idempotency_keys" (
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"fingerprint" text NOT NULL,
	"method" text NOT NULL,
	"path" text NOT NULL,
	"lock_id" uuid NOT NULL,
	"locked_at" timestamp with time zone NOT NULL,
	"response_status" integer,
	"response_headers" jsonb,
	"response_body" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY("scope","key")
);
--> statement-breakpoint
ALTER TABLE "inbox_items" DROP CONSTRAINT "inbox_items_state_check";--> statement-breakpoint
ALTER TABLE "inbound_recalls" DROP CONSTRAINT "inbound_recalls_trigger_check";--> statement-breakpoint
ALTER TABLE "recalls" DROP CONSTRAINT "recalls_trigger_check";--> statement-breakpoint
ALTER TABLE "recalls" DROP CONSTRAINT "recalls_source_check";--> statement-breakpoint
ALTER TABLE "connected_applications" ADD COLUMN "workflows" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "inbox_items" ADD COLUMN "withdrawn_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "inbox_items" ADD COLUMN "withdrawn_by" uuid;--> statement-breakpoint
ALTER TABLE "shares" ADD COLUMN "withdrawn_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "shares" ADD COLUMN "withdrawn_by" uuid;--> statement-breakpoint
ALTER TABLE "shares" ADD COLUMN "withdraw_reason" text;--> statement-breakpoint
ALTER TABLE "shares" ADD COLUMN "withdraw_outcome" text;--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
ALTER TABLE "inbox_items" ADD CONSTRAINT "inbox_items_withdrawn_by_users_id_fk" FOREIGN KEY ("withdrawn_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shares" ADD CONSTRAINT "shares_withdrawn_by_users_id_fk" FOREIGN KEY ("withdrawn_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbox_items" ADD CONSTRAINT "inbox_items_state_check" CHECK ("inbox_items"."state" in ('pending', 'importing', 'imported', 'rejected', 'expired', 'failed', 'withdrawn', 'invalid'));--> statement-breakpoint
ALTER TABLE "shares" ADD CONSTRAINT "shares_withdraw_outcome_check" CHECK ("shares"."withdraw_outcome" is null or "shares"."withdraw_outcome" in ('inbox', 'recall'));--> statement-breakpoint
ALTER TABLE "inbound_recalls" ADD CONSTRAINT "inbound_recalls_trigger_check" CHECK ("inbound_recalls"."trigger" in ('declined', 'deleted', 'kyc_expired', 'in_review', 'erased', 'withdrawn'));--> statement-breakpoint
ALTER TABLE "recalls" ADD CONSTRAINT "recalls_trigger_check" CHECK ("recalls"."trigger" in ('declined', 'deleted', 'kyc_expired', 'in_review', 'erased', 'withdrawn'));--> statement-breakpoint
ALTER TABLE "recalls" ADD CONSTRAINT "recalls_source_check" CHECK ("recalls"."source" in ('webhook', 'sync', 'erasure', 'withdrawal'));