import { describe, expect, it } from "vitest";
import { featureLabel } from "./format";

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
