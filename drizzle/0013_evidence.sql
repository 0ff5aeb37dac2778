CREATE TABLE "audit_checkpoints" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"verified_through_seq" bigint NOT NULL,
	"last_hash" text NOT NULL,
	"full" boolean NOT NULL,
	"ok" boolean NOT NULL,
	"checked" integer NOT NULL,
	"first_bad_seq" bigint,
	"failure_reason" text,
	"duration_ms" integer NOT NULL,
	"verified_by" uuid,
	"verified_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evidence_exports" (
	"id" uuid PRIMARY KEY NOT NULL,
	"session_id" uuid NOT NULL,
	"requested_by" uuid NOT NULL,
	"archive_sha256" text NOT NULL,
	"manifest_sha256" text NOT NULL,
	"key_fingerprint" text NOT NULL,
	"files" integer NOT NULL,
	"size_bytes" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "signing_keys" (
	"id" uuid PRIMARY KEY NOT NULL,
	"purpose" text NOT NULL,
	"algorithm" text NOT NULL,
	"public_key_pem" text NOT NULL,
	"private_key_ciphertext" text NOT NULL,
	"fingerprint" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone,
	CONSTRAINT "signing_keys_purpose_check" CHECK ("signing_keys"."purpose" in ('evidence')),
	CONSTRAINT "signing_keys_algorithm_check" CHECK ("signing_keys"."algorithm" in ('ed25519'))
);
--> statement-breakpoint
ALTER TABLE "audit_checkpoints" ADD CONSTRAINT "audit_checkpoints_verified_by_users_id_fk" FOREIGN KEY ("verified_by") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evidence_exports" ADD CONSTRAINT "evidence_exports_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_checkpoints_verified_at_idx" ON "audit_checkpoints" USING btree ("verified_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "evidence_exports_created_idx" ON "evidence_exports" USING btree ("created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "evidence_exports_session_idx" ON "evidence_exports" USING btree ("session_id");--> statement-breakpoint
CREATE UNIQUE INDEX "signing_keys_fingerprint_key" ON "signing_keys" USING btree ("fingerprint");--> statement-breakpoint
CREATE UNIQUE INDEX "signing_keys_current_key" ON "signing_keys" USING btree ("purpose") WHERE "signing_keys"."retired_at" is null;