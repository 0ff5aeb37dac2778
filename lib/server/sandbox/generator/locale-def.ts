import "server-only";

/**
 * Invented sample data for the session generator: name parts, places and number formats per
 * country. Full names are random combinations of common given and family names, never real people;
 * company names are random combinations of generic words. A locale is written as a `LocaleDef`
 * (lists as delimited strings, in locales-europe.ts and locales-world.ts) and parsed once at module
 * load (locales.ts).
 *
 * Number patterns: `9` digit, `8` non-zero digit, `A` letter A–Z, `X` letter or digit, anything
 * else literal.
 */

export type DocType = "Passport" | "Identity Card" | "Driver's License" | "Residence Permit";

/** A name part: as printed (`n`) and in Latin letters without diacritics (`l`, for e-mails). */
export type NamePart = { n: string; l: string };
export type City = { name: string; region: string; lat: number; lon: number };

/** One locale as written; `parseLocale` (locales.ts) splits its lists. */
export type LocaleDef = {
  tag: string;
  a2: string;
  a3: string;
  country: string;
  timeZone: string;
  tzOffset: string;
  currency: string;
  /** `name|latin` entries where the script is not Latin; comma-separated. */
  male: string;
  female: string;
  last: string;
  /** Female forms of `last`, same order (Polish, Greek). */
  lastFemale?: string;
  doubleSurname?: boolean;
  familyFirst?: boolean;
  /** `name|region|lat|lon;…` */
  cities: string;
  streets: string;
  postal: string;
  address: (street: string, no: number, postal: string, city: City) => string;
  docs: Partial<Record<DocType, string>>;
  phonePrefix: string;
  phonePattern: string;
  carriers: string;
  ipPrefixes: string;
  isps: string;
  poaIssuers: string;
  /** Company words: `word#sector` (sector keys of SECTORS). */
  coA: string;
  coB: string;
  forms: string;
  company: (a: string, b: string, form: string) => string;
  registry: string;
  regPattern: string;
  shareCapital: [number, number];
};

/** The most common address format: `street no, postal city`. */
export const comma = (street: string, no: number, postal: string, city: City) =>
  `${street} ${no}, ${postal} ${city.name}`;
