import { describe, expect, it } from "vitest";
import { formatRate, formatSeconds, isHighOverride, presetPeriod } from "./format";

describe("analytics formatting", () => {
  it("formats rates as percentages, null as a dash", () => {
    expect(formatRate(null)).toBe("—");
    expect(formatRate(0)).toBe("0 %");
    expect(formatRate(0.4286)).toBe("42.9 %");
    expect(formatRate(1)).toBe("100 %");
  });

  it("formats latencies in their two largest units", () => {
    expect(formatSeconds(null)).toBe("—");
    expect(formatSeconds(0)).toBe("0 s");
    expect(formatSeconds(45.4)).toBe("45 s");
    expect(formatSeconds(250)).toBe("4 min 10 s");
    expect(formatSeconds(3600)).toBe("1 h");
    expect(formatSeconds(11_100)).toBe("3 h 5 min");
    expect(formatSeconds(187_200)).toBe("2 d 4 h");
  });

  it("computes a preset period as the last N UTC days, today included", () => {
    expect(presetPeriod(30, new Date("2026-06-15T23:30:00Z"))).toEqual({
      from: "2026-05-17",
      to: "2026-06-15",
    });
    expect(presetPeriod(1, new Date("2026-06-15T00:00:00Z"))).toEqual({
      from: "2026-06-15",
      to: "2026-06-15",
    });
  });

  it("flags an override rate only when high and measured on enough imports", () => {
    expect(isHighOverride({ declined: 1, approvedImports: 3, rate: 0.3333 })).toBe(true);
    expect(isHighOverride({ declined: 1, approvedImports: 2, rate: 0.5 })).toBe(false);
    expect(isHighOverride({ declined: 1, approvedImports: 10, rate: 0.1 })).toBe(false);
    expect(isHighOverride({ declined: 0, approvedImports: 0, rate: null })).toBe(false);
  });
});
