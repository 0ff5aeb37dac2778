import { describe, expect, it } from "vitest";
import { formatFingerprint } from "./format";

describe("formatFingerprint", () => {
  it("groups a SHA-256 fingerprint in sixteen groups of four", () => {
    const hex = "0123456789abcdef".repeat(4);
    const shown = formatFingerprint(hex);
    expect(shown.split(" ")).toHaveLength(16);
    expect(shown.startsWith("0123 4567 89ab cdef 0123")).toBe(true);
    expect(shown.replace(/ /g, "")).toBe(hex);
  });

  it("keeps a short or empty value as it is", () => {
    expect(formatFingerprint("abc")).toBe("abc");
    expect(formatFingerprint("")).toBe("");
  });
});
