CREATE TABLE "connected_applications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"didit_application_id" uuid NOT NULL,
	"environment" text NOT NULL,
	"api_key_ciphertext" text,
	"api_key_last4" text,
	"api_key_checked_at" timestamp with time zone,
	"api_key_error" text,
	"webhook_destination_id" text,
	"webhook_url" text,
	"webhook_secret_ciphertext" text,
	"webhook_registered_at" timestamp with time zone,
	"webhook_error" text,
	"last_webhook_at" timestamp with time zone,
	"default_workflow_user" uuid,
	"default_workflow_business" uuid,
	"sync_state" text DEFAULT 'idle' NOT NULL,
	"sync_backfilled_at" timestamp with time zone,
	"sync_total" integer,
	"sync_done" integer DEFAULT 0 NOT NULL,
	"sync_started_at" timestamp with time zone,
	"sync_finished_at" timestamp with time zone,
	"sync_error" text,
	"sync_high_water" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "connected_applications_environment_check" CHECK ("connected_applications"."environment" in ('sandbox', 'live')),
	CONSTRAINT "connected_applications_sync_state_check" CHECK ("connected_applications"."sync_state" in ('idle', 'queued', 'running', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "inbox_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"partner_id" uuid,
	"source" text NOT NULL,
	"sender_share_id" uuid,
	"local_share_id" uuid,
	"token_hash" text NOT NULL,
	"token_ciphertext" text,
	"claims" jsonb NOT NULL,
	"manifest" jsonb,
	"session_kind" text NOT NULL,
	"source_session_id" uuid NOT NULL,
	"from_application_id" uuid NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"state_reason" text,
	"received_by" uuid,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inbox_items_state_check" CHECK ("inbox_items"."state" in ('pending', 'importing', 'imported', 'rejected', 'expired', 'failed')),
	CONSTRAINT "inbox_items_source_check" CHECK ("inbox_items"."source" in ('internal', 'push', 'pickup', 'paste'))
);
--> statement-breakpoint
CREATE TABLE "partner_secrets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"partner_id" uuid NOT NULL,
	"secret_ciphertext" text NOT NULL,
	"last4" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "partners" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"didit_application_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"direction" text NOT NULL,
	"agreement_reference" text,
	"agreement_signed_on" date,
	"agreement_expires_on" date,
	"allowed_kinds" jsonb NOT NULL,
	"allowed_statuses" jsonb NOT NULL,
	"default_ttl_seconds" integer DEFAULT 3600 NOT NULL,
	"max_ttl_seconds" integer DEFAULT 86400 NOT NULL,
	"delivery_channel" text NOT NULL,
	"push_url" text,
	"partner_api_base_url" text,
	"import_mode" text DEFAULT 'manual' NOT NULL,
	"trust_review" boolean DEFAULT false NOT NULL,
	"import_workflow_user" uuid,
	"import_workflow_business" uuid,
	"vendor_data_template" text,
	"review_sla_hours" integer DEFAULT 48 NOT NULL,
	"require_four_eyes" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"suspended_reason" text,
	"suspended_at" timestamp with time zone,
	"contacts" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"notes" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "partners_direction_check" CHECK ("partners"."direction" in ('outbound', 'inbound', 'both')),
	CONSTRAINT "partners_channel_check" CHECK ("partners"."delivery_channel" in ('internal', 'push', 'pickup', 'manual')),
	CONSTRAINT "partners_import_mode_check" CHECK ("partners"."import_mode" in ('auto', 'manual')),
	CONSTRAINT "partners_status_check" CHECK ("partners"."status" in ('active', 'suspended')),
	CONSTRAINT "partners_ttl_check" CHECK ("partners"."default_ttl_seconds" between 60 and 86400 and "partners"."max_ttl_seconds" between 60 and 86400 and "partners"."default_ttl_seconds" <= "partners"."max_ttl_seconds"),
	CONSTRAINT "partners_sla_check" CHECK ("partners"."review_sla_hours" between 1 and 8760)
);
--> statement-breakpoint
CREATE TABLE "session_mirror" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"didit_session_id" uuid NOT NULL,
	"session_number" integer,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"vendor_data" text,
	"display_name" text,
	"country" text,
	"document_type" text,
	"registration_number" text,
	"workflow_id" uuid,
	"features" jsonb,
	"didit_created_at" timestamp with time zone NOT NULL,
	"shared_from_session" uuid,
	"search_text" text DEFAULT '' NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "session_mirror_kind_check" CHECK ("session_mirror"."kind" in ('user', 'business'))
);
--> statement-breakpoint
CREATE TABLE "share_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"share_id" uuid NOT NULL,
	"attempt" integer NOT NULL,
	"channel" text NOT NULL,
	"outcome" text NOT NULL,
	"http_status" integer,
	"error" text,
	"duration_ms" integer,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "share_receipts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"share_id" uuid NOT NULL,
	"partner_id" uuid NOT NULL,
	"status" text NOT NULL,
	"clone_session_id" uuid,
	"reason" text,
	"message_id" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shares" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"partner_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"session_kind" text NOT NULL,
	"session_number" integer,
	"source_status" text NOT NULL,
	"for_application_id" uuid NOT NULL,
	"ttl_seconds" integer NOT NULL,
	"token_hash" text NOT NULL,
	"claims" jsonb NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"token_ciphertext" text,
	"channel" text NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"delivered_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"revoked_by" uuid,
	"revoke_reason" text,
	"revealed_at" timestamp with time zone,
	"revealed_by" uuid,
	"manifest" jsonb NOT NULL,
	"agreement" jsonb NOT NULL,
	"receipt_status" text,
	"receipt_clone_session_id" uuid,
	"receipt_reason" text,
	"receipt_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "shares_state_check" CHECK ("shares"."state" in ('pending', 'delivered', 'picked_up', 'failed', 'expired', 'revoked')),
	CONSTRAINT "shares_channel_check" CHECK ("shares"."channel" in ('internal', 'push', 'pickup', 'manual')),
	CONSTRAINT "shares_ttl_check" CHECK ("shares"."ttl_seconds" between 60 and 86400)
);
--> statement-breakpoint
ALTER TABLE "connected_applications" ADD CONSTRAINT "connected_applications_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbox_items" ADD CONSTRAINT "inbox_items_application_id_connected_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."connected_applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbox_items" ADD CONSTRAINT "inbox_items_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbox_items" ADD CONSTRAINT "inbox_items_local_share_id_shares_id_fk" FOREIGN KEY ("local_share_id") REFERENCES "public"."shares"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbox_items" ADD CONSTRAINT "inbox_items_received_by_users_id_fk" FOREIGN KEY ("received_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partner_secrets" ADD CONSTRAINT "partner_secrets_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partner_secrets" ADD CONSTRAINT "partner_secrets_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partners" ADD CONSTRAINT "partners_application_id_connected_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."connected_applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partners" ADD CONSTRAINT "partners_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_mirror" ADD CONSTRAINT "session_mirror_application_id_connected_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."connected_applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "share_deliveries" ADD CONSTRAINT "share_deliveries_share_id_shares_id_fk" FOREIGN KEY ("share_id") REFERENCES "public"."shares"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "share_receipts" ADD CONSTRAINT "share_receipts_share_id_shares_id_fk" FOREIGN KEY ("share_id") REFERENCES "public"."shares"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "share_receipts" ADD CONSTRAINT "share_receipts_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shares" ADD CONSTRAINT "shares_application_id_connected_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."connected_applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shares" ADD CONSTRAINT "shares_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shares" ADD CONSTRAINT "shares_revoked_by_users_id_fk" FOREIGN KEY ("revoked_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shares" ADD CONSTRAINT "shares_revealed_by_users_id_fk" FOREIGN KEY ("revealed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shares" ADD CONSTRAINT "shares_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "connected_applications_didit_id_key" ON "connected_applications" USING btree ("didit_application_id") WHERE "connected_applications"."deleted_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "inbox_items_token_hash_key" ON "inbox_items" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "inbox_items_received_idx" ON "inbox_items" USING btree ("received_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "inbox_items_state_idx" ON "inbox_items" USING btree ("state","expires_at");--> statement-breakpoint
CREATE INDEX "partner_secrets_partner_idx" ON "partner_secrets" USING btree ("partner_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "partners_application_didit_key" ON "partners" USING btree ("application_id","didit_application_id");--> statement-breakpoint
CREATE INDEX "partners_didit_application_idx" ON "partners" USING btree ("didit_application_id");--> statement-breakpoint
CREATE UNIQUE INDEX "session_mirror_app_session_key" ON "session_mirror" USING btree ("application_id","didit_session_id");--> statement-breakpoint
CREATE INDEX "session_mirror_session_idx" ON "session_mirror" USING btree ("didit_session_id");--> statement-breakpoint
CREATE INDEX "session_mirror_picker_idx" ON "session_mirror" USING btree ("application_id","kind","didit_created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "session_mirror_created_idx" ON "session_mirror" USING btree ("didit_created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "session_mirror_shared_from_idx" ON "session_mirror" USING btree ("shared_from_session");--> statement-breakpoint
CREATE INDEX "session_mirror_vendor_data_idx" ON "session_mirror" USING btree ("vendor_data");--> statement-breakpoint
CREATE INDEX "share_deliveries_share_idx" ON "share_deliveries" USING btree ("share_id","attempt");--> statement-breakpoint
CREATE INDEX "share_receipts_share_idx" ON "share_receipts" USING btree ("share_id","received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "shares_token_hash_key" ON "shares" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "shares_created_idx" ON "shares" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "shares_session_idx" ON "shares" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "shares_partner_idx" ON "shares" USING btree ("partner_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "shares_state_idx" ON "shares" USING btree ("state","expires_at");