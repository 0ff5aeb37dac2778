import { describe, expect, it } from "vitest";

import { isFinished, parseStatus, renderStatus } from "@/lib/server/sandbox/statuses";
import {
  KYB_RECIPE_STATUSES,
  SESSION_STATUSES,
  UPDATE_STATUS_ALLOWED_FROM,
  UPDATE_STATUS_TARGETS,
} from "@/lib/server/didit-wire";

describe("statuses", () => {
  it("finished means Approved, Declined or In Review only", () => {
    expect(SESSION_STATUSES.filter(isFinished)).toEqual(["In Review", "Approved", "Declined"]);
  });

  it("renders KYB statuses UPPER_SNAKE in the recipe profile and Title Case in spec", () => {
    expect(renderStatus("business", "In Review", "recipe")).toBe("IN_REVIEW");
    expect(renderStatus("business", "Kyc Expired", "recipe")).toBe("KYC_EXPIRED");
    expect(renderStatus("business", "Not Started", "recipe")).toBe("NOT_STARTED");
    expect(renderStatus("business", "Approved", "recipe")).toBe("APPROVED");
    expect(renderStatus("business", "In Review", "spec")).toBe("In Review");
    SESSION_STATUSES.forEach((s, i) => {
      expect(renderStatus("business", s, "recipe")).toBe(KYB_RECIPE_STATUSES[i]);
      expect(KYB_RECIPE_STATUSES[i]).toBe(s.toUpperCase().replace(/ /g, "_"));
    });
  });

  it("renders KYC statuses Title Case in both profiles", () => {
    for (const s of SESSION_STATUSES) {
      expect(renderStatus("user", s, "recipe")).toBe(s);
      expect(renderStatus("user", s, "spec")).toBe(s);
    }
  });

  it("parses both renderings, case-insensitively, and round-trips every status", () => {
    for (const s of SESSION_STATUSES) {
      expect(parseStatus(renderStatus("business", s, "recipe"))).toBe(s);
      expect(parseStatus(s)).toBe(s);
      expect(parseStatus(s.toLowerCase())).toBe(s);
    }
    expect(parseStatus("in_review")).toBe("In Review");
    expect(parseStatus("KYC EXPIRED")).toBe("Kyc Expired");
  });

  it("rejects unknown statuses and non-strings", () => {
    expect(parseStatus("Finished")).toBeNull();
    expect(parseStatus("")).toBeNull();
    expect(parseStatus("InReview")).toBeNull();
    expect(parseStatus(42)).toBeNull();
    expect(parseStatus(null)).toBeNull();
  });

  it("exposes the update-status tables of the contract", () => {
    expect([...UPDATE_STATUS_TARGETS]).toEqual(["Approved", "Declined", "Resubmitted"]);
    expect(UPDATE_STATUS_ALLOWED_FROM).toContain("Kyc Expired");
    expect(UPDATE_STATUS_ALLOWED_FROM).not.toContain("Not Started");
    expect(UPDATE_STATUS_ALLOWED_FROM).not.toContain("Expired");
  });
});
