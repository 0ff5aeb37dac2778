DROP INDEX "inbox_items_source_session_idx";--> statement-breakpoint
DROP INDEX "session_mirror_shared_from_idx";--> statement-breakpoint
DROP INDEX "shares_session_idx";--> statement-breakpoint
DROP INDEX "imports_source_session_idx";--> statement-breakpoint
CREATE INDEX "inbox_items_source_session_idx" ON "inbox_items" USING btree ("source_session_id","state");--> statement-breakpoint
CREATE INDEX "session_mirror_shared_from_idx" ON "session_mirror" USING btree ("shared_from_session","didit_created_at","id");--> statement-breakpoint
CREATE INDEX "shares_session_idx" ON "shares" USING btree ("session_id","created_at","id");--> statement-breakpoint
CREATE INDEX "imports_source_session_idx" ON "imports" USING btree ("source_session_id","created_at","id");