CREATE SCHEMA "sandbox";
--> statement-breakpoint
CREATE TABLE "sandbox"."api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"key_hash" text NOT NULL,
	"last_four" text NOT NULL,
	"privileges" text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sandbox"."applications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"profile" text NOT NULL,
	"environment" text DEFAULT 'sandbox' NOT NULL,
	"next_session_number" bigint DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "applications_profile_check" CHECK ("sandbox"."applications"."profile" in ('recipe', 'spec'))
);
--> statement-breakpoint
CREATE TABLE "sandbox"."clock" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"offset_seconds" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox"."entities" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"vendor_data" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox"."imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"dedupe_key" text NOT NULL,
	"token_hash" text NOT NULL,
	"source_session_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"trust_review" boolean NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox"."sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"number" bigint NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"workflow_id" uuid NOT NULL,
	"vendor_data" text,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL,
	"shared_from_session" uuid,
	"search_name" text,
	"summary" jsonb NOT NULL,
	"payload" jsonb NOT NULL,
	"reviews" jsonb DEFAULT '[]'::jsonb NOT NULL,
	CONSTRAINT "sessions_kind_check" CHECK ("sandbox"."sessions"."kind" in ('user', 'business'))
);
--> statement-breakpoint
CREATE TABLE "sandbox"."shares" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"for_application_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox"."webhook_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"destination_id" uuid NOT NULL,
	"event_id" uuid NOT NULL,
	"event" text NOT NULL,
	"session_id" uuid,
	"url" text NOT NULL,
	"body" text NOT NULL,
	"headers" jsonb NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_status_code" integer,
	"last_error" text,
	"next_attempt_at" timestamp with time zone,
	"attempt_log" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sandbox"."webhook_destinations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"label" text DEFAULT '' NOT NULL,
	"url" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"webhook_version" text DEFAULT 'v3' NOT NULL,
	"subscribed_events" text[] NOT NULL,
	"secret_shared_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox"."workflows" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sandbox"."api_keys" ADD CONSTRAINT "api_keys_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "sandbox"."applications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox"."entities" ADD CONSTRAINT "entities_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "sandbox"."applications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox"."imports" ADD CONSTRAINT "imports_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "sandbox"."applications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox"."sessions" ADD CONSTRAINT "sessions_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "sandbox"."applications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox"."shares" ADD CONSTRAINT "shares_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "sandbox"."applications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox"."webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "sandbox"."applications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox"."webhook_destinations" ADD CONSTRAINT "webhook_destinations_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "sandbox"."applications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox"."workflows" ADD CONSTRAINT "workflows_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "sandbox"."applications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "sandbox"."api_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "api_keys_application_id_idx" ON "sandbox"."api_keys" USING btree ("application_id");--> statement-breakpoint
CREATE UNIQUE INDEX "entities_application_kind_vendor_key" ON "sandbox"."entities" USING btree ("application_id","kind","vendor_data");--> statement-breakpoint
CREATE UNIQUE INDEX "imports_application_dedupe_key" ON "sandbox"."imports" USING btree ("application_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "imports_source_session_idx" ON "sandbox"."imports" USING btree ("source_session_id");--> statement-breakpoint
CREATE UNIQUE INDEX "sessions_application_number_key" ON "sandbox"."sessions" USING btree ("application_id","number");--> statement-breakpoint
CREATE INDEX "sessions_application_kind_created_idx" ON "sandbox"."sessions" USING btree ("application_id","kind","created_at");--> statement-breakpoint
CREATE INDEX "sessions_application_status_idx" ON "sandbox"."sessions" USING btree ("application_id","status");--> statement-breakpoint
CREATE INDEX "sessions_application_vendor_data_idx" ON "sandbox"."sessions" USING btree ("application_id","vendor_data");--> statement-breakpoint
CREATE INDEX "sessions_workflow_id_idx" ON "sandbox"."sessions" USING btree ("workflow_id");--> statement-breakpoint
CREATE INDEX "sessions_shared_from_idx" ON "sandbox"."sessions" USING btree ("shared_from_session");--> statement-breakpoint
CREATE INDEX "shares_application_id_idx" ON "sandbox"."shares" USING btree ("application_id");--> statement-breakpoint
CREATE INDEX "shares_session_id_idx" ON "sandbox"."shares" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_application_idx" ON "sandbox"."webhook_deliveries" USING btree ("application_id","created_at");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_due_idx" ON "sandbox"."webhook_deliveries" USING btree ("state","next_attempt_at");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_destination_idx" ON "sandbox"."webhook_deliveries" USING btree ("destination_id");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_destinations_application_url_key" ON "sandbox"."webhook_destinations" USING btree ("application_id","url");--> statement-breakpoint
CREATE INDEX "workflows_application_id_idx" ON "sandbox"."workflows" USING btree ("application_id");