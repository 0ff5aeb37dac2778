/**
 * Name search folding: one function for what the session mirror stores (`search_text`) and for
 * what a search box sends, so "Kohler", "Koehler", "köhler" and "KÖHLER" all find Köhler on PGlite
 * and PostgreSQL alike (no `unaccent`, which PGlite lacks). Pure: no database, no locale.
 *
 * The rules, applied in this order:
 * 1. lower case (`toLowerCase`, locale-independent), then NFC, so "o" + U+0308 is "ö" before step 2;
 * 2. letters Unicode does not decompose: ß→ss, æ→ae, œ→oe, ø→o, đ/ð→d, þ→th, ł→l, ħ→h, ı→i;
 * 3. NFKD, then every combining mark U+0300–U+036F removed (é→e, ñ→n, ç→c, ö→o, å→a; ligatures
 *    and full-width letters become plain letters).
 * The *expanded* form first applies the German and Scandinavian transliterations ä→ae, ö→oe,
 * ü→ue, å→aa, ø→oe (then the same steps). The mirror stores the plain form and, when it differs,
 * the expanded one after it; a query term matches either form. So "Müller" is stored
 * "muller mueller" and found by "muller", "mueller" and "Müller"; a "Mueller" is found by "Müller".
 * `drizzle/0017_search_fold.sql` applies the same rules in SQL to rows written before them.
 */

const NOT_DECOMPOSED: Record<string, string> = {
  ß: "ss",
  æ: "ae",
  œ: "oe",
  ø: "o",
  đ: "d",
  ð: "d",
  þ: "th",
  ł: "l",
  ħ: "h",
  ı: "i",
};
const NOT_DECOMPOSED_RE = /[ßæœøđðþłħı]/g;

const TRANSLITERATED: Record<string, string> = { ä: "ae", ö: "oe", ü: "ue", å: "aa", ø: "oe" };
const TRANSLITERATED_RE = /[äöüåø]/g;

const COMBINING_MARKS = /[\u0300-\u036f]/g;

function finish(lowered: string): string {
  return lowered
    .replace(NOT_DECOMPOSED_RE, (c) => NOT_DECOMPOSED[c] ?? c)
    .normalize("NFKD")
    .replace(COMBINING_MARKS, "");
}

/** The plain fold: "Köhler" → "kohler", "Straße" → "strasse", "Åse" → "ase", "Øster" → "oster". */
export function foldSearch(value: string): string {
  return finish(value.toLowerCase().normalize("NFC"));
}

/** The transliterated fold: "Köhler" → "koehler", "Åse" → "aase", "Øster" → "oester". */
export function foldSearchExpanded(value: string): string {
  return finish(
    value
      .toLowerCase()
      .normalize("NFC")
      .replace(TRANSLITERATED_RE, (c) => TRANSLITERATED[c] ?? c),
  );
}

/** The forms a query term matches: the plain fold, and the transliterated one when it differs. */
export function searchTermForms(term: string): string[] {
  const plain = foldSearch(term);
  const expanded = foldSearchExpanded(term);
  return expanded === plain ? [plain] : [plain, expanded];
}

/** What the mirror stores for a text: its plain fold, then its transliterated fold when different. */
export function foldedSearchText(value: string): string {
  const [plain, expanded] = searchTermForms(value);
  return expanded === undefined ? plain! : `${plain} ${expanded}`;
}
