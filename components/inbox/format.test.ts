import { describe, expect, it } from "vitest";
import { describeVerification, featureLabel, UNVERIFIED_NOTE } from "./format";

describe("featureLabel", () => {
  it("reads Didit's feature keys as words, acronyms in capitals", () => {
    expect(featureLabel("ID_VERIFICATION")).toBe("ID verification");
    expect(featureLabel("AML")).toBe("AML");
    expect(featureLabel("IP_ANALYSIS")).toBe("IP analysis");
    expect(featureLabel("proof_of_address")).toBe("Proof of address");
    expect(featureLabel("liveness_checks")).toBe("Liveness checks");
    expect(featureLabel("__")).toBe("__");
  });
});

describe("describeVerification", () => {
  const base = { partnerName: "Alpha Bank", verifiedBy: null } as const;
  it("calls every token unverified until Didit accepts it, a signed push included", () => {
    const pasted = describeVerification({ ...base, verification: "unverified", source: "paste" });
    expect(pasted.badge).toBe("Unverified");
    expect(pasted.token).toBe(UNVERIFIED_NOTE);
    expect(pasted.sender).toContain("nothing proves who sent it");
    const pushed = describeVerification({ ...base, verification: "unverified", source: "push" });
    expect(pushed.badge).toBe("Unverified");
    expect(pushed.sender).toBe("Sent by partner Alpha Bank (signature verified).");
    expect(pushed.token).toBe(UNVERIFIED_NOTE);
  });
  it("says who verified a token, and that an invalid one is not the partner's", () => {
    expect(
      describeVerification({ ...base, verification: "verified", verifiedBy: "import", source: "push" }).token,
    ).toBe("Token verified by Didit: Didit accepted it on import.");
    expect(
      describeVerification({ ...base, verification: "verified", verifiedBy: "own_share", source: "internal" })
        .badge,
    ).toBe("From our share");
    const invalid = describeVerification({ ...base, verification: "invalid", source: "paste" });
    expect(invalid.badge).toBeNull();
    expect(invalid.token).toContain("not counted as Alpha Bank's");
  });
});
