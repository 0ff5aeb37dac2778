-- The picker's `q` uses trigram matching (pg_trgm ships with PostgreSQL and is loaded into PGlite by lib/server/db/open.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX "session_mirror_app_created_idx" ON "session_mirror" USING btree ("application_id","didit_created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "session_mirror_search_trgm_idx" ON "session_mirror" USING gin ("search_text" gin_trgm_ops);