/**
 * The one way the console shows a moment: `1 Dec 2026, 09:14 CET` — day, short month, year,
 * 24-hour time and the time zone it is shown in, so a reader never has to guess.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", {
      day: "numeric",
      month: "short",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZone,
      timeZoneName: "short",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function toDate(value: string | number | Date): Date | null {
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** The time zone of this runtime (the browser's, on the client); UTC when it cannot be read. */
export function localTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** `1 Dec 2026, 09:14 CET` in `timeZone` (default: this runtime's); "—" for an invalid date. */
export function formatDateTime(value: string | number | Date, timeZone: string = localTimeZone()): string {
  const d = toDate(value);
  if (!d) return "—";
  let f: Intl.DateTimeFormat;
  try {
    f = formatterFor(timeZone);
  } catch {
    f = formatterFor("UTC");
  }
  return f.format(d);
}

const dateFormatters = new Map<string, Intl.DateTimeFormat>();
const CALENDAR_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A day, the same way as formatDateTime without the time: `7 Dec 2026`. A calendar date
 * (`2026-12-07`: a date of birth, an agreement's expiry, a chart's bucket) is that day wherever
 * the reader is; a moment is its day in `timeZone` (default: this runtime's). "—" when invalid.
 */
export function formatDate(value: string | number | Date, timeZone: string = localTimeZone()): string {
  const day = typeof value === "string" ? CALENDAR_DAY.exec(value) : null;
  const d = day ? new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]))) : toDate(value);
  if (!d || Number.isNaN(d.getTime())) return "—";
  if (day && d.toISOString().slice(0, 10) !== value) return "—"; // 2026-02-31 is not a day
  const zone = day ? "UTC" : timeZone;
  let f = dateFormatters.get(zone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-GB", {
        day: "numeric",
        month: "short",
        year: "numeric",
        timeZone: zone,
      });
    } catch {
      f = new Intl.DateTimeFormat("en-GB", {
        day: "numeric",
        month: "short",
        year: "numeric",
        timeZone: "UTC",
      });
    }
    dateFormatters.set(zone, f);
  }
  return f.format(d);
}

/** A month, for a chart's monthly buckets: `Dec 2026` (a calendar date's month, wherever the reader is). */
export function formatMonth(value: string): string {
  const day = CALENDAR_DAY.exec(value);
  if (!day) return "—";
  const d = new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, 1));
  return new Intl.DateTimeFormat("en-GB", { month: "short", year: "numeric", timeZone: "UTC" }).format(d);
}

const relative = new Intl.RelativeTimeFormat("en-GB", { numeric: "auto" });
const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["second", 60],
  ["minute", 60],
  ["hour", 24],
  ["day", 7],
  ["week", 4.345],
  ["month", 12],
  ["year", Number.POSITIVE_INFINITY],
];

/** `5 minutes ago`, `in 2 days`, `now`: for "how long ago", next to the absolute time. */
export function formatRelative(value: string | number | Date, now: Date = new Date()): string {
  const d = toDate(value);
  if (!d) return "—";
  let amount = (d.getTime() - now.getTime()) / 1000;
  for (const [unit, size] of STEPS) {
    if (Math.abs(amount) < size) {
      const rounded = Math.round(amount);
      return relative.format(Object.is(rounded, -0) ? 0 : rounded, unit);
    }
    amount /= size;
  }
  return relative.format(Math.round(amount), "year");
}
