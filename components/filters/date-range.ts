/**
 * The checks of a filter bar's period, as typed or as the URL holds it. A bar applies nothing while
 * one of these fails, and the message sits under the field it is about.
 */

/** What a date field reports when the browser holds a date it cannot give (a day without a year). */
export const INCOMPLETE_DATE = "incomplete";

export type DateKind = "date" | "datetime";
export type DateRangeErrors = { from?: string; to?: string };
export type DateRangeOptions = { kind: DateKind; minYear: number; maxYear: number };

const PATTERNS: Record<DateKind, RegExp> = {
  date: /^(\d{4,6})-(\d{2})-(\d{2})$/,
  datetime: /^(\d{4,6})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?$/,
};

const quote = (value: string) => `“${value.length > 40 ? `${value.slice(0, 40)}…` : value}”`;

/**
 * A field's value as a moment (UTC midnight for a `date`, local wall time for a `datetime`), or the
 * message saying why it is not one. An empty value is no filter.
 */
export function checkFilterDate(
  value: string,
  { kind, minYear, maxYear }: DateRangeOptions,
): { time?: number; error?: string } {
  if (value === "") return {};
  const what = kind === "date" ? "date" : "date and time";
  if (value === INCOMPLETE_DATE) return { error: `Enter the whole ${what}` };
  const m = PATTERNS[kind].exec(value);
  if (!m) return { error: `${quote(value)} is not a ${what}` };
  const [y, mo, d, h = 0, mi = 0, s = 0] = m.slice(1).map((part) => Number(part ?? 0)) as number[];
  if (y! < minYear || y! > maxYear) return { error: `Choose a year from ${minYear} to ${maxYear}` };
  const at = new Date(0);
  if (kind === "date") at.setUTCFullYear(y!, mo! - 1, d!);
  else {
    at.setFullYear(y!, mo! - 1, d!);
    at.setHours(h, mi, s, 0);
  }
  const sameDay =
    kind === "date"
      ? at.getUTCMonth() === mo! - 1 && at.getUTCDate() === d
      : at.getMonth() === mo! - 1 && at.getDate() === d;
  if (!sameDay || h > 23 || mi > 59 || s > 59) return { error: `${quote(value)} is not a ${what}` };
  return { time: at.getTime() };
}

/** Each end checked alone, then the order: From after To is refused on From. */
export function dateRangeErrors(from: string, to: string, options: DateRangeOptions): DateRangeErrors {
  const a = checkFilterDate(from, options);
  const b = checkFilterDate(to, options);
  const errors: DateRangeErrors = {};
  if (a.error) errors.from = a.error;
  if (b.error) errors.to = b.error;
  if (a.time !== undefined && b.time !== undefined && a.time > b.time)
    errors.from = "From must not be after To";
  return errors;
}
