import { describe, expect, it } from "vitest";
import { z } from "zod";
import { blankAsNull, isoDateTime } from "./common";

const schema = isoDateTime();

describe("isoDateTime", () => {
  it.each([
    ["2026-11-30", "2026-11-30T00:00:00.000Z"],
    ["2026-11-30T08:15:00Z", "2026-11-30T08:15:00.000Z"],
    ["2026-11-30T08:15:00.123Z", "2026-11-30T08:15:00.123Z"],
    ["2026-11-30T08:15+01:00", "2026-11-30T07:15:00.000Z"],
    ["0001-01-01", "0001-01-01T00:00:00.000Z"],
    ["9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"],
    ["2024-02-29", "2024-02-29T00:00:00.000Z"],
  ])("accepts %s", (input, iso) => {
    expect(schema.parse(input).toISOString()).toBe(iso);
  });

  it.each([
    "275760-09-13",
    "+275760-09-13T00:00:00.000Z",
    "0000-01-01",
    "10000-01-01",
    "2026-02-30",
    "2025-02-29",
    "2026-13-01",
    "2026-11-30T24:00Z",
    "2026-11-30T08:60Z",
    "yesterday",
    "1764576000",
    "",
    "2026-11-30T08:15:00Z\u0000",
  ])("refuses %s", (input) => {
    expect(schema.safeParse(input).success).toBe(false);
  });
});

describe("blankAsNull", () => {
  const field = blankAsNull(z.string().trim().max(3, "At most 3"));

  it('reads "" and null as null, anything else through the schema', () => {
    expect(field.parse("")).toBeNull();
    expect(field.parse(null)).toBeNull();
    expect(field.parse(" ab ")).toBe("ab");
  });

  it("refuses what the schema refuses, and undefined (optional is the caller's choice)", () => {
    expect(field.safeParse("abcd").success).toBe(false);
    expect(field.safeParse(undefined).success).toBe(false);
    expect(field.optional().parse(undefined)).toBeUndefined();
  });
});
