import { z } from "zod";

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * An ISO 8601 date (`2026-11-30`, UTC midnight) or date-time (`2026-11-30T08:15:00.000Z`, with an
 * offset or none) as a Date. Years 0001–9999 only: JavaScript's Date reaches year 275760, beyond
 * what PostgreSQL's timestamptz can compare, and impossible calendar dates (02-30) are refused.
 */
export function isoDateTime(message = "Use a date like 2026-11-30 or 2026-11-30T08:15:00Z") {
  return z
    .string()
    .trim()
    .refine((value) => {
      const m = ISO_DATE_TIME.exec(value);
      if (!m) return false;
      const [, year, month, day, hour = "00", minute = "00", second = "00"] = m;
      const y = Number(year);
      if (y < 1 || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return false;
      const check = new Date(Date.UTC(2000, Number(month) - 1, Number(day)));
      check.setUTCFullYear(y);
      return check.getUTCMonth() === Number(month) - 1 && check.getUTCDate() === Number(day);
    }, message)
    .transform((value) => new Date(value));
}

/** A field that may be left empty: "" and null both mean none (null); anything else must pass `schema`. */
export function blankAsNull<T extends z.ZodType>(schema: T) {
  return z.union([z.literal("").transform(() => null), z.null(), schema]);
}

/** A list filter from the query string: absent or blank means "no filter". */
export const optionalFilter = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), schema.optional());

/** The opaque keyset cursor of a list (the `nextCursor` of the previous page). */
export const listCursorParam = () =>
  optionalFilter(
    z
      .string()
      .max(200)
      .regex(/^[A-Za-z0-9_-]+$/, "Not a cursor from this list"),
  );
