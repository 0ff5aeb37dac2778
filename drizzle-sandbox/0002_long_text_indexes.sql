DROP INDEX "sandbox"."entities_application_kind_vendor_key";--> statement-breakpoint
DROP INDEX "sandbox"."sessions_application_vendor_data_idx";--> statement-breakpoint
DROP INDEX "sandbox"."webhook_destinations_application_url_key";--> statement-breakpoint
CREATE UNIQUE INDEX "entities_application_kind_vendor_md5_key" ON "sandbox"."entities" USING btree ("application_id","kind",md5("vendor_data"));--> statement-breakpoint
CREATE INDEX "sessions_vendor_data_hash_idx" ON "sandbox"."sessions" USING hash ("vendor_data");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_destinations_application_url_md5_key" ON "sandbox"."webhook_destinations" USING btree ("application_id",md5("url"));