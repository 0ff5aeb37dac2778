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
