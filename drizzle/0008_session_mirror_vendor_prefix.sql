CREATE INDEX "session_mirror_vendor_prefix_idx" ON "session_mirror" USING btree (lower("vendor_data") text_pattern_ops);--> statement-breakpoint
-- search_text no longer carries vendor_data (matched by prefix on the index above).
UPDATE "session_mirror" SET "search_text" = concat_ws(' ', lower(nullif(btrim("display_name"), '')), lower(nullif(btrim("registration_number"), '')));
