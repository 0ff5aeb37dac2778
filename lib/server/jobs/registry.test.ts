import { describe, expect, it } from "vitest";
import { PermanentJobError } from "./registry";

describe("PermanentJobError", () => {
  it("is recognised when thrown by another bundle's copy of the class", () => {
    // What a second copy of the module (another Next bundle) would construct: its own class, same brand.
    const brand: symbol = Symbol.for("handoff.PermanentJobError");
    class OtherCopy extends Error {
      constructor(message: string) {
        super(message);
        Object.defineProperty(this, brand, { value: true });
      }
    }
    expect(new OtherCopy("gone") instanceof PermanentJobError).toBe(true);
    expect(new PermanentJobError("gone") instanceof PermanentJobError).toBe(true);
    expect(new PermanentJobError("gone") instanceof Error).toBe(true);
    expect(new Error("transient") instanceof PermanentJobError).toBe(false);
    expect((null as unknown as object) instanceof PermanentJobError).toBe(false);
  });
});
