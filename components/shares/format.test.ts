import { describe, expect, it } from "vitest";
import { channelOutcome, formatCountdown, formatTtl } from "./format";

describe("formatCountdown", () => {
  const now = new Date("2026-12-01T10:00:00Z");
  it("counts hours and minutes, minutes and seconds, then seconds", () => {
    expect(formatCountdown("2026-12-01T12:05:30Z", now)).toBe("2 h 05 min left");
    expect(formatCountdown("2026-12-01T10:12:05Z", now)).toBe("12 min 05 s left");
    expect(formatCountdown("2026-12-01T10:00:40Z", now)).toBe("40 s left");
  });
  it("says expired at and after the moment, and a dash for a bad date", () => {
    expect(formatCountdown("2026-12-01T10:00:00Z", now)).toBe("expired");
    expect(formatCountdown("2026-12-01T09:00:00Z", now)).toBe("expired");
    expect(formatCountdown("not a date", now)).toBe("—");
  });
});

describe("formatTtl", () => {
  it("names whole units and mixes hours with minutes", () => {
    expect(formatTtl(900)).toBe("15 minutes");
    expect(formatTtl(60)).toBe("1 minute");
    expect(formatTtl(3600)).toBe("1 hour");
    expect(formatTtl(5400)).toBe("1 hour 30 minutes");
    expect(formatTtl(86_400)).toBe("24 hours");
    expect(formatTtl(90)).toBe("90 seconds");
  });
});

describe("channelOutcome", () => {
  it("says where the token goes for each channel", () => {
    expect(channelOutcome("internal", "Northwind Pay", null)).toContain("straight to Northwind Pay's inbox");
    expect(channelOutcome("push", "Acme", "https://acme.example/inbox")).toContain(
      "Pushed to https://acme.example/inbox",
    );
    expect(channelOutcome("pickup", "Acme", null)).toContain("Waits for Acme to pick it up");
    expect(channelOutcome("manual", "Acme", null)).toContain("You reveal it once");
  });
});
