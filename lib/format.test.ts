import { describe, expect, it } from "vitest";
import { formatDate, formatDateTime, formatMonth, formatRelative, localTimeZone } from "./format";

describe("formatDateTime", () => {
  const moment = "2026-12-01T08:14:59.999Z";

  it("shows day, short month, year, 24-hour time and the zone", () => {
    expect(formatDateTime(moment, "Europe/Paris")).toBe("1 Dec 2026, 09:14 CET");
    expect(formatDateTime(moment, "UTC")).toBe("1 Dec 2026, 08:14 UTC");
  });

  it("follows summer time and names it", () => {
    expect(formatDateTime("2026-07-15T12:00:00Z", "Europe/Paris")).toBe("15 Jul 2026, 14:00 CEST");
  });

  it("writes midnight as 00, not 24, and shifts the date with the zone", () => {
    expect(formatDateTime("2026-12-31T23:05:00Z", "Europe/Berlin")).toBe("1 Jan 2027, 00:05 CET");
    expect(formatDateTime("2026-12-01T03:00:00Z", "America/New_York")).toBe("30 Nov 2026, 22:00 GMT-5");
  });

  it("accepts a Date and epoch milliseconds", () => {
    expect(formatDateTime(new Date(moment), "UTC")).toBe("1 Dec 2026, 08:14 UTC");
    expect(formatDateTime(Date.parse(moment), "UTC")).toBe("1 Dec 2026, 08:14 UTC");
  });

  it("uses this runtime's zone by default", () => {
    expect(formatDateTime(moment)).toBe(formatDateTime(moment, localTimeZone()));
  });

  it("shows a dash for an invalid date and falls back to UTC for an unknown zone", () => {
    expect(formatDateTime("not a date", "UTC")).toBe("—");
    expect(formatDateTime(moment, "Mars/Olympus_Mons")).toBe("1 Dec 2026, 08:14 UTC");
  });
});

describe("formatRelative", () => {
  const now = new Date("2026-12-01T12:00:00Z");
  const ago = (ms: number) => new Date(now.getTime() - ms);

  it.each([
    [0, "now"],
    [30_000, "30 seconds ago"],
    [5 * 60_000, "5 minutes ago"],
    [3 * 3_600_000, "3 hours ago"],
    [24 * 3_600_000, "yesterday"],
    [3 * 86_400_000, "3 days ago"],
    [14 * 86_400_000, "2 weeks ago"],
    [400 * 86_400_000, "last year"],
  ])("%i ms before now is %s", (ms, text) => {
    expect(formatRelative(ago(ms), now)).toBe(text);
  });

  it("speaks of the future too", () => {
    expect(formatRelative(new Date(now.getTime() + 2 * 86_400_000), now)).toBe("in 2 days");
  });

  it("shows a dash for an invalid date", () => {
    expect(formatRelative("nope", now)).toBe("—");
  });
});

describe("formatDate", () => {
  it("writes a calendar date as that day wherever the reader is: 7 Dec 2026", () => {
    expect(formatDate("2026-12-07")).toBe("7 Dec 2026");
    // A date of birth must not slip a day west of UTC.
    expect(formatDate("1990-01-01", "America/Los_Angeles")).toBe("1 Jan 1990");
    expect(formatDate("1990-01-01", "Pacific/Kiritimati")).toBe("1 Jan 1990");
  });

  it("writes a moment as its day in the time zone, like formatDateTime without the time", () => {
    const at = "2026-12-07T23:30:00Z";
    expect(formatDate(at, "UTC")).toBe("7 Dec 2026");
    expect(formatDate(at, "Europe/Berlin")).toBe("8 Dec 2026");
    expect(formatDateTime(at, "Europe/Berlin").startsWith(formatDate(at, "Europe/Berlin"))).toBe(true);
    expect(formatDate(new Date(at), "UTC")).toBe("7 Dec 2026");
  });

  it("answers — for what is not a date, and falls back to UTC for an unknown time zone", () => {
    expect(formatDate("2026-02-31")).toBe("—");
    expect(formatDate("not a date")).toBe("—");
    expect(formatDate("2026-12-07T10:00:00Z", "Nowhere/Atlantis")).toBe("7 Dec 2026");
  });
});

describe("formatMonth", () => {
  it("writes a monthly bucket as its month", () => {
    expect(formatMonth("2026-12-01")).toBe("Dec 2026");
    expect(formatMonth("2026-1-01")).toBe("—");
  });
});
