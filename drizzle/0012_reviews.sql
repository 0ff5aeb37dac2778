CREATE TABLE "import_decisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"import_id" uuid NOT NULL,
	"status" text NOT NULL,
	"comment" text,
	"state" text NOT NULL,
	"decided_by" uuid NOT NULL,
	"decided_at" timestamp with time zone NOT NULL,
	"second_by" uuid,
	"second_at" timestamp with time zone,
	"second_comment" text,
	"sent_at" timestamp with time zone,
	"confirmed_at" timestamp with time zone,
	"failure_code" text,
	"failure_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "import_decisions_status_check" CHECK ("import_decisions"."status" in ('Approved', 'Declined')),
	CONSTRAINT "import_decisions_state_check" CHECK ("import_decisions"."state" in ('proposed', 'rejected', 'withdrawn', 'sent', 'confirmed', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "outbound_receipts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"partner_id" uuid NOT NULL,
	"inbox_item_id" uuid NOT NULL,
	"share_id" uuid NOT NULL,
	"status" text NOT NULL,
	"clone_session_id" uuid,
	"reason" text,
	"state" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "outbound_receipts_status_check" CHECK ("outbound_receipts"."status" in ('imported', 'rejected')),
	CONSTRAINT "outbound_receipts_state_check" CHECK ("outbound_receipts"."state" in ('pending', 'sent', 'failed'))
);
--> statement-breakpoint
ALTER TABLE "partners" ADD COLUMN "remote_partner_id" uuid;--> statement-breakpoint
ALTER TABLE "partners" ADD COLUMN "inbound_pickup" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "partners" ADD COLUMN "pickup_polled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "partners" ADD COLUMN "pickup_error" text;--> statement-breakpoint
ALTER TABLE "imports" ADD COLUMN "status" text;--> statement-breakpoint
ALTER TABLE "imports" ADD COLUMN "status_updated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "imports" ADD COLUMN "assigned_to" uuid;--> statement-breakpoint
ALTER TABLE "imports" ADD COLUMN "assigned_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "import_decisions" ADD CONSTRAINT "import_decisions_import_id_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."imports"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_decisions" ADD CONSTRAINT "import_decisions_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_decisions" ADD CONSTRAINT "import_decisions_second_by_users_id_fk" FOREIGN KEY ("second_by") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbound_receipts" ADD CONSTRAINT "outbound_receipts_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbound_receipts" ADD CONSTRAINT "outbound_receipts_inbox_item_id_inbox_items_id_fk" FOREIGN KEY ("inbox_item_id") REFERENCES "public"."inbox_items"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "import_decisions_import_idx" ON "import_decisions" USING btree ("import_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "import_decisions_open_proposal_key" ON "import_decisions" USING btree ("import_id") WHERE "import_decisions"."state" = 'proposed';--> statement-breakpoint
CREATE UNIQUE INDEX "outbound_receipts_item_status_key" ON "outbound_receipts" USING btree ("inbox_item_id","status");--> statement-breakpoint
CREATE INDEX "outbound_receipts_partner_idx" ON "outbound_receipts" USING btree ("partner_id","created_at" DESC NULLS LAST);--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_assigned_to_users_id_fk" FOREIGN KEY ("assigned_to") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "imports_status_idx" ON "imports" USING btree ("status","finished_at","id");--> statement-breakpoint
CREATE INDEX "imports_assigned_to_idx" ON "imports" USING btree ("assigned_to");--> statement-breakpoint
UPDATE "imports" SET "status" = "status_at_import", "status_updated_at" = "finished_at" WHERE "state" = 'imported';