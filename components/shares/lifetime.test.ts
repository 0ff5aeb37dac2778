import { describe, expect, it } from "vitest";
import { initialValues, lifetimeOptions, lifetimeSchema, lifetimeSeconds } from "./lifetime";

const custom = (amount: string, unit: "minutes" | "hours" = "minutes") => ({
  choice: "custom",
  amount,
  unit,
});
const messages = (max: number, v: ReturnType<typeof custom>) =>
  lifetimeSchema(max, "Northwind Pay")
    .safeParse(v)
    .error?.issues.map((i) => i.message) ?? [];

describe("lifetime options", () => {
  it("offers the presets within the partner's maximum, and the partner's default", () => {
    expect(lifetimeOptions(3_600, 86_400)).toEqual([900, 3_600, 14_400, 86_400]);
    expect(lifetimeOptions(3_600, 7_200)).toEqual([900, 3_600]);
    expect(lifetimeOptions(1_800, 7_200)).toEqual([900, 1_800, 3_600]);
    expect(lifetimeOptions(600, 600)).toEqual([600]);
  });

  it("starts at the partner's default: a preset when it is one, else a custom amount", () => {
    expect(initialValues(null, 3_600, 86_400)).toMatchObject({ choice: "3600" });
    expect(initialValues(null, 7_200, 86_400)).toMatchObject({ choice: "7200" });
    expect(initialValues(10_800, 3_600, 86_400)).toEqual({ choice: "custom", amount: "3", unit: "hours" });
    expect(initialValues(300, 3_600, 86_400)).toEqual({ choice: "custom", amount: "5", unit: "minutes" });
  });
});

describe("lifetime validation", () => {
  it("accepts 1 minute to 24 hours within the partner's maximum", () => {
    expect(messages(86_400, custom("1"))).toEqual([]);
    expect(messages(86_400, custom("24", "hours"))).toEqual([]);
    expect(lifetimeSeconds(custom("90"))).toBe(5_400);
    expect(lifetimeSeconds({ choice: "900", amount: "", unit: "minutes" })).toBe(900);
  });

  it("refuses empty, non-whole, too short, too long and above the partner's maximum", () => {
    expect(messages(86_400, custom(""))).toEqual(["Enter the lifetime in minutes"]);
    expect(messages(86_400, custom("1.5"))).toEqual(["Enter a whole number of minutes"]);
    expect(messages(86_400, custom("0"))).toEqual(["The lifetime must be at least 1 minute"]);
    expect(messages(86_400, custom("25", "hours"))).toEqual(["The lifetime must be at most 24 hours"]);
    expect(messages(7_200, custom("3", "hours"))).toEqual([
      "Northwind Pay accepts at most 2 hours: choose a shorter lifetime",
    ]);
  });

  it("does not check the amount while a preset is chosen", () => {
    expect(messages(86_400, { choice: "3600", amount: "junk", unit: "minutes" })).toEqual([]);
  });
});
