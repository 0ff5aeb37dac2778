import { describe, expect, it, vi } from "vitest";

describe("AppError across bundles", () => {
  it("is recognised by instanceof when thrown by another copy of the module (Next bundles per route)", async () => {
    const first = await import("./errors");
    vi.resetModules();
    const second = await import("./errors");
    expect(second.AppError).not.toBe(first.AppError);
    const foreign = new second.AppError("key_rejected", "refused");
    expect(foreign instanceof first.AppError).toBe(true);
    expect(foreign instanceof Error).toBe(true);
    class Local extends first.AppError {
      constructor() {
        super("conflict", "x");
        this.name = "Local";
      }
    }
    // A subclass still tells its own instances from other AppErrors.
    expect(new Local() instanceof Local).toBe(true);
    expect(foreign instanceof Local).toBe(false);
    expect({ code: "key_rejected", message: "not an error" } instanceof first.AppError).toBe(false);
  });
});
