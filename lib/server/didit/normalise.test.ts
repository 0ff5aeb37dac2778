import { describe, expect, it } from "vitest";
import { SESSION_STATUSES } from "@/lib/server/didit-wire";
import { featureData, normaliseStatus, statusFilter, upperSnake } from "./normalise";

describe("normaliseStatus", () => {
  it.each([
    ["IN_REVIEW", "In Review"],
    ["KYC_EXPIRED", "Kyc Expired"],
    ["in review", "In Review"],
    ["  Not   Started ", "Not Started"],
    ["not_started", "Not Started"],
    ["APPROVED", "Approved"],
    ["Awaiting User", "Awaiting User"],
    ["AWAITING_USER", "Awaiting User"],
  ])("%s → %s", (wire, expected) => {
    expect(normaliseStatus(wire)).toBe(expected);
  });

  it("reads every Title Case and every UPPER_SNAKE status back to itself", () => {
    for (const s of SESSION_STATUSES) {
      expect(normaliseStatus(s)).toBe(s);
      expect(normaliseStatus(upperSnake(s))).toBe(s);
    }
  });

  it.each([["Not Finished"], [""], ["Approved!"], [42], [null]])("does not know %j", (wire) => {
    expect(normaliseStatus(wire)).toBeNull();
  });
});

describe("statusFilter", () => {
  it("sends Title Case only for KYC lists (the default kind included)", () => {
    expect(statusFilter(["In Review", "Approved"], "user")).toBe("In Review,Approved");
    expect(statusFilter(["In Review"], undefined)).toBe("In Review");
  });
  it("sends both spellings when KYB rows may be listed", () => {
    expect(statusFilter(["In Review", "Kyc Expired"], "business")).toBe(
      "In Review,IN_REVIEW,Kyc Expired,KYC_EXPIRED",
    );
    expect(statusFilter(["Approved", "Approved"], "all")).toBe("Approved,APPROVED");
  });
});

describe("featureData", () => {
  it("maps the spec's KYC names to the recipe's and fills the missing arrays", () => {
    const data = featureData("user", {
      session_id: "x",
      id_verifications: [{ status: "Approved" }],
      poa_verifications: [{ status: "Approved", document: "bill" }],
      ip_analyses: [{ ip: "1.2.3.4" }],
      unknown_things: [{ a: 1 }],
    });
    expect(Object.keys(data)).toEqual([
      "id_verifications",
      "liveness_checks",
      "face_matches",
      "aml_screenings",
      "database_validations",
      "proof_of_address",
      "location_checks",
      "phone_verifications",
      "email_verifications",
    ]);
    expect(data.proof_of_address).toEqual([{ status: "Approved", document: "bill" }]);
    expect(data.location_checks).toEqual([{ ip: "1.2.3.4" }]);
    expect(data.liveness_checks).toEqual([]);
    expect(data).not.toHaveProperty("unknown_things");
  });

  it("keeps the recipe's names as they are, and prefers them when both appear", () => {
    const data = featureData("user", { proof_of_address: [{ a: 1 }], poa_verifications: [{ a: 2 }] });
    expect(data.proof_of_address).toEqual([{ a: 1 }]);
  });

  it("reads KYB arrays under their own names and drops non-object elements", () => {
    const data = featureData("business", {
      registry_checks: [{ company: "Acme" }, "junk", null],
      key_people_checks: [{ name: "A", kyc: { status: "Approved" } }],
      id_verifications: [{ x: 1 }],
    });
    expect(Object.keys(data)).toEqual([
      "registry_checks",
      "key_people_checks",
      "document_verifications",
      "aml_screenings",
      "questionnaires",
    ]);
    expect(data.registry_checks).toEqual([{ company: "Acme" }]);
    expect(data.key_people_checks).toEqual([{ name: "A", kyc: { status: "Approved" } }]);
  });
});
