import { describe, expect, it } from "vitest";

import { generateSession } from "@/lib/server/sandbox/generator";
import {
  absolutizeMedia,
  featureKeys,
  renderDecision,
  renderImportResult,
  renderListRow,
} from "@/lib/server/sandbox/render";
import type { SessionKind, SessionStatus } from "@/lib/server/didit-wire";
import type { StoredSession } from "@/lib/server/sandbox/types";

const ORIGIN = "http://127.0.0.1:3000";
const createdAt = new Date("2026-03-01T10:00:00Z");

function stored(kind: SessionKind, status: SessionStatus, extra: Partial<StoredSession> = {}): StoredSession {
  const { summary, payload } = generateSession(kind === "user" ? 11 : 12, { kind, status, createdAt });
  return {
    id: "6f1f6d1e-1b0a-4c55-9d55-0d5f5a1e2b01",
    applicationId: "a0000000-0000-4000-8000-000000000001",
    number: 17,
    kind,
    status,
    workflowId: "b0000000-0000-4000-8000-000000000002",
    vendorData: "user-42",
    createdAt,
    expiresAt: new Date("2026-03-08T10:00:00Z"),
    sharedFromSession: null,
    summary,
    payload,
    reviews: [
      {
        user: "reviewer@example.com",
        new_status: status,
        comment: "ok",
        created_at: "2026-03-02T09:00:00.000Z",
      },
    ],
    ...extra,
  };
}

const KYC_RECIPE = [
  "id_verifications",
  "liveness_checks",
  "face_matches",
  "aml_screenings",
  "database_validations",
  "proof_of_address",
  "location_checks",
  "phone_verifications",
  "email_verifications",
];
const KYB = [
  "registry_checks",
  "key_people_checks",
  "document_verifications",
  "aml_screenings",
  "questionnaires",
];

describe("featureKeys", () => {
  it("renames two KYC arrays in the spec profile only", () => {
    expect(featureKeys("user", "recipe")).toEqual(KYC_RECIPE);
    expect(featureKeys("user", "spec")).toEqual(
      KYC_RECIPE.map((k) =>
        k === "proof_of_address" ? "poa_verifications" : k === "location_checks" ? "ip_analyses" : k,
      ),
    );
    expect(featureKeys("business", "recipe")).toEqual(KYB);
    expect(featureKeys("business", "spec")).toEqual(KYB);
  });
});

describe("renderDecision", () => {
  it("renders a KYC decision with recipe key names and absolute media URLs", () => {
    const s = stored("user", "Approved");
    const d = renderDecision(s, "recipe", ORIGIN);
    expect(Object.keys(d)).toEqual([
      "session_id",
      "session_number",
      "session_kind",
      "status",
      "workflow_id",
      "vendor_data",
      "created_at",
      "expires_at",
      "full_name",
      "document_type",
      "country",
      "features",
      ...KYC_RECIPE,
      "reviews",
    ]);
    expect(d).toMatchObject({
      session_id: s.id,
      session_number: 17,
      session_kind: "user",
      status: "Approved",
      vendor_data: "user-42",
      created_at: "2026-03-01T10:00:00.000Z",
      expires_at: "2026-03-08T10:00:00.000Z",
      full_name: s.summary.full_name,
    });
    const idv = (d.id_verifications as { front_image: string }[])[0]!;
    expect(idv.front_image).toBe(`${ORIGIN}/sandbox/media/kyc-11-front.png`);
    // The stored payload is untouched.
    expect((s.payload.id_verifications as { front_image: string }[])[0]!.front_image).toBe(
      "/sandbox/media/kyc-11-front.png",
    );
    expect(JSON.stringify(d)).not.toMatch(/"\/sandbox\/media\//);
  });

  it("uses the spec's key names for proof of address and IP analysis", () => {
    const s = stored("user", "Approved");
    const d = renderDecision(s, "spec", ORIGIN);
    expect(d).not.toHaveProperty("proof_of_address");
    expect(d).not.toHaveProperty("location_checks");
    expect(d.ip_analyses).toEqual(absolutizeMedia(s.payload.location_checks, ORIGIN));
    expect(d.poa_verifications).toEqual(absolutizeMedia(s.payload.proof_of_address, ORIGIN));
  });

  it("renders KYB statuses per profile, reviews included, nested KYC statuses unchanged", () => {
    const s = stored("business", "In Review");
    const recipe = renderDecision(s, "recipe", ORIGIN);
    const spec = renderDecision(s, "spec", ORIGIN);
    expect(recipe.status).toBe("IN_REVIEW");
    expect(spec.status).toBe("In Review");
    expect((recipe.reviews as { new_status: string }[])[0]!.new_status).toBe("IN_REVIEW");
    expect((spec.reviews as { new_status: string }[])[0]!.new_status).toBe("In Review");
    expect(recipe).toMatchObject({
      company_name: s.summary.company_name,
      registration_number: s.summary.registration_number,
    });
    expect(recipe).not.toHaveProperty("full_name");
    expect(Object.keys(recipe)).toEqual(expect.arrayContaining(KYB));
    for (const kp of recipe.key_people_checks as { kyc: { status: string } }[])
      expect(kp.kyc.status).not.toMatch(/_|^[A-Z]+$/);
  });

  it("carries shared_from_session only for imported sessions", () => {
    expect(renderDecision(stored("user", "Approved"), "recipe", ORIGIN)).not.toHaveProperty(
      "shared_from_session",
    );
    const imported = stored("user", "Approved", {
      sharedFromSession: "c0000000-0000-4000-8000-000000000003",
    });
    expect(renderDecision(imported, "recipe", ORIGIN).shared_from_session).toBe(imported.sharedFromSession);
  });

  it("renders missing feature arrays as empty arrays", () => {
    const d = renderDecision(stored("user", "Approved", { payload: {} }), "spec", ORIGIN);
    for (const k of featureKeys("user", "spec")) expect(d[k]).toEqual([]);
  });
});

describe("renderImportResult", () => {
  it("has the import body's fields and the cloned arrays under the profile's names", () => {
    const s = stored("business", "Approved", { sharedFromSession: "c0000000-0000-4000-8000-000000000003" });
    const body = renderImportResult(s, "recipe", ORIGIN);
    expect(Object.keys(body)).toEqual([
      "session_id",
      "session_number",
      "session_kind",
      "status",
      "shared_from_session",
      "vendor_data",
      "workflow_id",
      ...KYB,
    ]);
    expect(body.status).toBe("APPROVED");
    expect(renderImportResult(s, "spec", ORIGIN).status).toBe("Approved");
    const kyc = renderImportResult(stored("user", "Declined"), "spec", ORIGIN);
    expect(Object.keys(kyc).slice(7)).toEqual(featureKeys("user", "spec"));
  });
});

describe("renderListRow", () => {
  it("renders a KYC row from the summary alone", () => {
    const s = stored("user", "Declined");
    const row = renderListRow({ ...s, payload: undefined } as unknown as StoredSession, "recipe");
    expect(row).toEqual({
      session_id: s.id,
      session_kind: "user",
      session_number: 17,
      status: "Declined",
      vendor_data: "user-42",
      workflow_id: s.workflowId,
      created_at: "2026-03-01T10:00:00.000Z",
      full_name: s.summary.full_name,
      document_type: s.summary.document_type,
      country: s.summary.country,
      features: s.summary.features,
    });
  });

  it("renders KYB rows with company fields and profile casing, accepting string dates", () => {
    const s = stored("business", "Kyc Expired");
    const row = renderListRow({ ...s, createdAt: "2026-03-01T10:00:00Z" }, "recipe");
    expect(row.status).toBe("KYC_EXPIRED");
    expect(row.created_at).toBe("2026-03-01T10:00:00.000Z");
    expect(row).toMatchObject({ company_name: s.summary.company_name, country: s.summary.country });
    expect(row).not.toHaveProperty("full_name");
    expect(renderListRow(s, "spec").status).toBe("Kyc Expired");
  });
});
