CREATE TABLE "erasure_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"delete_at_didit" boolean NOT NULL,
	"state" text NOT NULL,
	"didit_outcome" text,
	"didit_error" text,
	"counts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"removed_sha256" text,
	"recall_id" uuid,
	"requested_by" uuid NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "erasure_requests_state_check" CHECK ("erasure_requests"."state" in ('running', 'done', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "inbound_recalls" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"partner_id" uuid NOT NULL,
	"remote_recall_id" uuid NOT NULL,
	"sender_share_id" uuid,
	"source_session_id" uuid NOT NULL,
	"trigger" text NOT NULL,
	"source_status" text,
	"reason" text NOT NULL,
	"message_id" text,
	"internal" boolean DEFAULT false NOT NULL,
	"import_count" integer DEFAULT 0 NOT NULL,
	"recalled_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	CONSTRAINT "inbound_recalls_trigger_check" CHECK ("inbound_recalls"."trigger" in ('declined', 'deleted', 'kyc_expired', 'in_review', 'erased'))
);
--> statement-breakpoint
CREATE TABLE "recall_notices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"recall_id" uuid NOT NULL,
	"share_id" uuid NOT NULL,
	"partner_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"state" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"http_status" integer,
	"sent_at" timestamp with time zone,
	"done_by" uuid,
	"done_at" timestamp with time zone,
	"done_note" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "recall_notices_channel_check" CHECK ("recall_notices"."channel" in ('push', 'internal', 'task')),
	CONSTRAINT "recall_notices_state_check" CHECK ("recall_notices"."state" in ('pending', 'sent', 'failed', 'open', 'done'))
);
--> statement-breakpoint
CREATE TABLE "recalls" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"trigger" text NOT NULL,
	"from_status" text,
	"to_status" text,
	"reason" text NOT NULL,
	"source" text NOT NULL,
	"raised_by" uuid,
	"share_count" integer DEFAULT 0 NOT NULL,
	"notice_count" integer DEFAULT 0 NOT NULL,
	"raised_at" timestamp with time zone NOT NULL,
	CONSTRAINT "recalls_trigger_check" CHECK ("recalls"."trigger" in ('declined', 'deleted', 'kyc_expired', 'in_review', 'erased')),
	CONSTRAINT "recalls_source_check" CHECK ("recalls"."source" in ('webhook', 'sync', 'erasure'))
);
--> statement-breakpoint
ALTER TABLE "connected_applications" ADD COLUMN "retention_days" integer;--> statement-breakpoint
ALTER TABLE "connected_applications" ADD COLUMN "retention_run_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "connected_applications" ADD COLUMN "retention_error" text;--> statement-breakpoint
ALTER TABLE "inbox_items" ADD COLUMN "redacted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "session_mirror" ADD COLUMN "redacted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "shares" ADD COLUMN "recalled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "shares" ADD COLUMN "recall_id" uuid;--> statement-breakpoint
ALTER TABLE "imports" ADD COLUMN "recalled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "imports" ADD COLUMN "recall_trigger" text;--> statement-breakpoint
ALTER TABLE "imports" ADD COLUMN "recall_reason" text;--> statement-breakpoint
ALTER TABLE "imports" ADD COLUMN "inbound_recall_id" uuid;--> statement-breakpoint
ALTER TABLE "imports" ADD COLUMN "recall_cleared_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "imports" ADD COLUMN "recall_cleared_by" uuid;--> statement-breakpoint
ALTER TABLE "erasure_requests" ADD CONSTRAINT "erasure_requests_application_id_connected_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."connected_applications"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "erasure_requests" ADD CONSTRAINT "erasure_requests_recall_id_recalls_id_fk" FOREIGN KEY ("recall_id") REFERENCES "public"."recalls"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "erasure_requests" ADD CONSTRAINT "erasure_requests_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbound_recalls" ADD CONSTRAINT "inbound_recalls_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recall_notices" ADD CONSTRAINT "recall_notices_recall_id_recalls_id_fk" FOREIGN KEY ("recall_id") REFERENCES "public"."recalls"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recall_notices" ADD CONSTRAINT "recall_notices_share_id_shares_id_fk" FOREIGN KEY ("share_id") REFERENCES "public"."shares"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recall_notices" ADD CONSTRAINT "recall_notices_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recall_notices" ADD CONSTRAINT "recall_notices_done_by_users_id_fk" FOREIGN KEY ("done_by") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recalls" ADD CONSTRAINT "recalls_application_id_connected_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."connected_applications"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recalls" ADD CONSTRAINT "recalls_raised_by_users_id_fk" FOREIGN KEY ("raised_by") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "erasure_requests_session_idx" ON "erasure_requests" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "erasure_requests_requested_idx" ON "erasure_requests" USING btree ("requested_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "inbound_recalls_partner_recall_key" ON "inbound_recalls" USING btree ("partner_id","remote_recall_id");--> statement-breakpoint
CREATE INDEX "inbound_recalls_source_idx" ON "inbound_recalls" USING btree ("source_session_id");--> statement-breakpoint
CREATE INDEX "inbound_recalls_received_idx" ON "inbound_recalls" USING btree ("received_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "recall_notices_recall_share_key" ON "recall_notices" USING btree ("recall_id","share_id");--> statement-breakpoint
CREATE INDEX "recall_notices_share_idx" ON "recall_notices" USING btree ("share_id");--> statement-breakpoint
CREATE INDEX "recall_notices_partner_idx" ON "recall_notices" USING btree ("partner_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "recall_notices_state_idx" ON "recall_notices" USING btree ("state","created_at");--> statement-breakpoint
CREATE INDEX "recalls_session_idx" ON "recalls" USING btree ("session_id","raised_at");--> statement-breakpoint
CREATE INDEX "recalls_raised_idx" ON "recalls" USING btree ("raised_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "recalls_application_idx" ON "recalls" USING btree ("application_id","raised_at" DESC NULLS LAST);--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_recall_cleared_by_users_id_fk" FOREIGN KEY ("recall_cleared_by") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "inbox_items_source_session_idx" ON "inbox_items" USING btree ("source_session_id");--> statement-breakpoint
CREATE INDEX "shares_receipt_clone_idx" ON "shares" USING btree ("receipt_clone_session_id");--> statement-breakpoint
CREATE INDEX "imports_recalled_idx" ON "imports" USING btree ("recalled_at") WHERE "imports"."recalled_at" is not null and "imports"."recall_cleared_at" is null;--> statement-breakpoint
ALTER TABLE "connected_applications" ADD CONSTRAINT "connected_applications_retention_check" CHECK ("connected_applications"."retention_days" is null or "connected_applications"."retention_days" between 30 and 3650);