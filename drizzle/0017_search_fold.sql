-- Name search folds case, accents and the common transliterations (lib/search-fold.ts): the rows
-- written before are folded here by the same rules (the functions live only for this migration;
-- the product folds in TypeScript, PGlite has no `unaccent`). Only rows whose text changes are written.
CREATE FUNCTION handoff_fold_finish(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT regexp_replace(
    normalize(translate(replace(replace(replace(replace(t, 'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe'), 'þ', 'th'), 'øđðłħı', 'oddlhi'), NFKD),
    '[\u0300-\u036f]', '', 'g')
$$;--> statement-breakpoint
CREATE FUNCTION handoff_fold_text(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN e <> p THEN p || ' ' || e ELSE p END
  FROM (
    SELECT handoff_fold_finish(normalize(lower(t), NFC)) AS p,
      handoff_fold_finish(replace(replace(replace(replace(replace(normalize(lower(t), NFC),
        'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue'), 'å', 'aa'), 'ø', 'oe')) AS e
  ) f
$$;--> statement-breakpoint
UPDATE "session_mirror" SET "search_text" = f."folded"
FROM (
  SELECT "id", left(handoff_fold_text(concat_ws(' ',
    nullif(btrim("display_name", E' \t\r\n'), ''),
    nullif(btrim("registration_number", E' \t\r\n'), ''))), 2000) AS "folded"
  FROM "session_mirror"
  WHERE "redacted_at" IS NULL
) f
WHERE "session_mirror"."id" = f."id" AND "session_mirror"."search_text" IS DISTINCT FROM f."folded";--> statement-breakpoint
DROP FUNCTION handoff_fold_text(text);--> statement-breakpoint
DROP FUNCTION handoff_fold_finish(text);
