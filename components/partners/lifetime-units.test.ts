import { describe, expect, it } from "vitest";
import { createPartnerRequestSchema } from "@/lib/schemas/partners";
import { amountOfSeconds, PARTNER_TTL_PRESETS, secondsOfAmount } from "./lifetime-units";

describe("partner form lifetimes (the wizard's minutes and hours)", () => {
  it("shows whole hours in hours and anything else in minutes", () => {
    expect(amountOfSeconds(3_600)).toEqual({ amount: "1", unit: "hours" });
    expect(amountOfSeconds(86_400)).toEqual({ amount: "24", unit: "hours" });
    expect(amountOfSeconds(900)).toEqual({ amount: "15", unit: "minutes" });
    expect(amountOfSeconds(5_400)).toEqual({ amount: "90", unit: "minutes" });
    expect(amountOfSeconds(60)).toEqual({ amount: "1", unit: "minutes" });
    // A value of seconds the API allowed: rounded up to the next minute on screen.
    expect(amountOfSeconds(90)).toEqual({ amount: "2", unit: "minutes" });
    expect(amountOfSeconds(Number.NaN)).toEqual({ amount: "", unit: "minutes" });
  });

  it("converts what was typed back to the API's seconds, NaN for anything but a whole number", () => {
    expect(secondsOfAmount({ amount: "15", unit: "minutes" })).toBe(900);
    expect(secondsOfAmount({ amount: " 4 ", unit: "hours" })).toBe(14_400);
    expect(secondsOfAmount({ amount: "24", unit: "hours" })).toBe(86_400);
    for (const bad of ["", "1.5", "-2", "1e3", "ten", "9999999"]) {
      expect(secondsOfAmount({ amount: bad, unit: "minutes" }), bad).toBeNaN();
    }
  });

  it("round-trips every preset of the wizard", () => {
    for (const p of PARTNER_TTL_PRESETS) expect(secondsOfAmount(amountOfSeconds(p.seconds))).toBe(p.seconds);
  });

  it("explains a bad amount in minutes and hours, not seconds", () => {
    const base = {
      name: "Acme",
      diditApplicationId: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
      applicationId: "6a0b8c52-5a51-4c1b-9a3e-0d1d5bb1f001",
      direction: "outbound",
      allowedKinds: ["user"],
    };
    const messages = (over: Record<string, unknown>) =>
      createPartnerRequestSchema.safeParse({ ...base, ...over }).error?.issues.map((i) => i.message) ?? [];
    expect(messages({ defaultTtlSeconds: secondsOfAmount({ amount: "x", unit: "hours" }) })).toEqual([
      "The default lifetime: enter a whole number of minutes or hours",
    ]);
    expect(messages({ maxTtlSeconds: secondsOfAmount({ amount: "25", unit: "hours" }) })).toEqual([
      "The maximum lifetime must be at most 24 hours",
    ]);
    expect(messages({ defaultTtlSeconds: secondsOfAmount({ amount: "0", unit: "minutes" }) })).toEqual([
      "The default lifetime must be at least 1 minute",
    ]);
  });
});
