import { describe, expect, it } from "vitest";
import { checkFilterDate, dateRangeErrors, INCOMPLETE_DATE } from "./date-range";

const DAY = { kind: "date", minYear: 2000, maxYear: 2999 } as const;
const MOMENT = { kind: "datetime", minYear: 1, maxYear: 9999 } as const;

describe("dateRangeErrors", () => {
  it("accepts no dates, one end, or a range in order (the same moment too)", () => {
    expect(dateRangeErrors("", "", DAY)).toEqual({});
    expect(dateRangeErrors("2026-12-01", "", DAY)).toEqual({});
    expect(dateRangeErrors("", "2026-12-01", DAY)).toEqual({});
    expect(dateRangeErrors("2026-12-01", "2026-12-01", DAY)).toEqual({});
    expect(dateRangeErrors("2026-12-01T10:00", "2026-12-01T10:00", MOMENT)).toEqual({});
  });

  it("refuses From after To on the From field", () => {
    expect(dateRangeErrors("2026-12-02", "2026-12-01", DAY)).toEqual({ from: "From must not be after To" });
    expect(dateRangeErrors("2026-12-01T10:01", "2026-12-01T10:00", MOMENT)).toEqual({
      from: "From must not be after To",
    });
  });

  it("refuses malformed and impossible dates on their own field, quoting them", () => {
    expect(dateRangeErrors("garbage", "", DAY)).toEqual({ from: "“garbage” is not a date" });
    expect(dateRangeErrors("", "2026-02-30", DAY)).toEqual({ to: "“2026-02-30” is not a date" });
    expect(dateRangeErrors("2026-12-01T25:00", "", MOMENT)).toEqual({
      from: "“2026-12-01T25:00” is not a date and time",
    });
    // An ISO instant is not what the date field holds: the bar converts before it checks.
    expect(dateRangeErrors("2026-12-01", "", MOMENT).from).toMatch(/is not a date and time/);
  });

  it("refuses years out of range, and dates the browser holds only in part", () => {
    expect(dateRangeErrors("1999-12-31", "20266-01-01", DAY)).toEqual({
      from: "Choose a year from 2000 to 2999",
      to: "Choose a year from 2000 to 2999",
    });
    expect(dateRangeErrors("", "275760-01-01T00:00", MOMENT).to).toBe("Choose a year from 1 to 9999");
    expect(dateRangeErrors(INCOMPLETE_DATE, "", MOMENT)).toEqual({ from: "Enter the whole date and time" });
  });

  it("does not compare ends when one is wrong (one message per field)", () => {
    expect(dateRangeErrors("2026-12-09", "garbage", DAY)).toEqual({ to: "“garbage” is not a date" });
  });
});

describe("checkFilterDate", () => {
  it("reads a date as its UTC day and a date-time as local wall time (years below 100 too)", () => {
    expect(checkFilterDate("2026-12-01", DAY).time).toBe(Date.UTC(2026, 11, 1));
    expect(checkFilterDate("2026-12-01T08:15", MOMENT).time).toBe(new Date(2026, 11, 1, 8, 15).getTime());
    const early = new Date(checkFilterDate("0042-01-02T00:00", MOMENT).time!);
    expect(early.getFullYear()).toBe(42);
  });
});
