CREATE TABLE "imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"inbox_item_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"partner_id" uuid NOT NULL,
	"sender_share_id" uuid,
	"source_session_id" uuid NOT NULL,
	"session_kind" text NOT NULL,
	"clone_session_id" uuid,
	"clone_session_number" integer,
	"shared_from_session" uuid,
	"trust_review" boolean NOT NULL,
	"workflow_id" uuid NOT NULL,
	"vendor_data" text NOT NULL,
	"status_at_import" text,
	"state" text DEFAULT 'importing' NOT NULL,
	"failure_code" text,
	"failure_reason" text,
	"retryable" boolean DEFAULT false NOT NULL,
	"attempts" integer DEFAULT 1 NOT NULL,
	"imported_by" uuid,
	"imported_by_policy" text,
	"reconciled_at" timestamp with time zone,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "imports_state_check" CHECK ("imports"."state" in ('importing', 'imported', 'failed')),
	CONSTRAINT "imports_kind_check" CHECK ("imports"."session_kind" in ('user', 'business')),
	CONSTRAINT "imports_policy_check" CHECK ("imports"."imported_by_policy" is null or "imports"."imported_by_policy" in ('auto')),
	CONSTRAINT "imports_actor_check" CHECK ("imports"."imported_by" is not null or "imports"."imported_by_policy" is not null),
	CONSTRAINT "imports_clone_check" CHECK ("imports"."state" <> 'imported' or ("imports"."clone_session_id" is not null and "imports"."status_at_import" is not null))
);
--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_inbox_item_id_inbox_items_id_fk" FOREIGN KEY ("inbox_item_id") REFERENCES "public"."inbox_items"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_application_id_connected_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."connected_applications"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_imported_by_users_id_fk" FOREIGN KEY ("imported_by") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "imports_inbox_item_key" ON "imports" USING btree ("inbox_item_id");--> statement-breakpoint
CREATE UNIQUE INDEX "imports_clone_session_key" ON "imports" USING btree ("clone_session_id");--> statement-breakpoint
CREATE INDEX "imports_application_idx" ON "imports" USING btree ("application_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "imports_partner_idx" ON "imports" USING btree ("partner_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "imports_state_idx" ON "imports" USING btree ("state","started_at");--> statement-breakpoint
CREATE INDEX "imports_source_session_idx" ON "imports" USING btree ("source_session_id");--> statement-breakpoint
CREATE INDEX "imports_imported_by_idx" ON "imports" USING btree ("imported_by");