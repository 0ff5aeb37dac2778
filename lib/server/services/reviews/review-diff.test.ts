import { describe, expect, it } from "vitest";
import type { CloneViewDto } from "@/lib/schemas/reviews";
import { diffDecisions, labelOf } from "./review-diff";

const NOW = new Date("2026-12-01T12:00:00Z");

function kyc(overrides: Partial<CloneViewDto> = {}): CloneViewDto {
  return {
    sessionId: "11111111-1111-4111-8111-111111111111",
    sessionNumber: 12,
    sessionKind: "user",
    status: "Approved",
    vendorData: "handoff-1",
    workflowId: "22222222-2222-4222-8222-222222222222",
    createdAt: "2026-11-20T10:00:00.000Z",
    sharedFromSession: null,
    reviews: [],
    featureData: {
      id_verifications: [
        {
          node_id: "feature_ocr",
          status: "Approved",
          full_name: "Ada Lovelace",
          expiration_date: "2030-05-01",
          front_image: "https://media.didit.me/front.png?X-Amz-Signature=abc",
          parsed_address: { city: "London", postal_code: "W1" },
          warnings: [],
        },
      ],
      aml_screenings: [{ node_id: "feature_aml", status: "Approved", total_hits: 0, hits: [] }],
    },
    ...overrides,
  };
}

/** The same session as a clone sees it: other ids, numbers, media URLs; same data. */
function cloneOf(source: CloneViewDto): CloneViewDto {
  const copy = structuredClone(source);
  copy.sessionId = "33333333-3333-4333-8333-333333333333";
  copy.sessionNumber = 1;
  copy.sharedFromSession = source.sessionId;
  copy.createdAt = "2026-11-25T09:00:00.000Z";
  const doc = copy.featureData.id_verifications?.[0];
  if (doc) doc.front_image = "/api/imports/44444444-4444-4444-8444-444444444444/media/WyJpZCJd";
  return copy;
}

type Person = Record<string, unknown>;
function person(name: string, kycStatus: string, extra: Person = {}): Person {
  return {
    node_id: "feature_kyb_key_people",
    status: "Approved",
    full_name: name,
    date_of_birth: "1970-01-02",
    role: "Director",
    kyc: { session_id: crypto.randomUUID(), session_number: 7, status: kycStatus },
    ...extra,
  };
}

function kyb(people: Person[], overrides: Partial<CloneViewDto> = {}): CloneViewDto {
  return kyc({
    sessionKind: "business",
    featureData: {
      registry_checks: [
        { node_id: "feature_kyb_registry", company_name: "Zürich Données AG", company_status: "Active" },
      ],
      key_people_checks: people,
      document_verifications: [
        { node_id: "feature_kyb_documents", document_type: "PROOF_OF_ADDRESS", file: "https://x/y.pdf" },
      ],
    },
    ...overrides,
  });
}

describe("diffDecisions", () => {
  it("finds nothing between a clone and an unchanged source (ids, numbers, dates of creation, media ignored)", () => {
    const source = kyc();
    expect(diffDecisions(cloneOf(source), source, NOW)).toEqual([]);
    const business = kyb([person("Jane Roe", "Approved"), person("John Doe", "Approved")]);
    const clone = cloneOf(business);
    // Nested KYC session ids and numbers differ per copy: still no difference.
    for (const p of clone.featureData.key_people_checks!) {
      (p.kyc as Record<string, unknown>).session_id = crypto.randomUUID();
      (p.kyc as Record<string, unknown>).session_number = 99;
    }
    clone.featureData.document_verifications![0]!.file = "/api/imports/x/media/abc";
    expect(diffDecisions(clone, business, NOW)).toEqual([]);
  });

  it("reports a status changed at the source since the share", () => {
    const source = kyc({ status: "In Review" });
    const clone = cloneOf(source);
    source.status = "Approved";
    expect(diffDecisions(clone, source, NOW)).toEqual([
      { path: "status", label: "Status", kind: "status_changed", clone: "In Review", source: "Approved" },
    ]);
  });

  it("reports new AML hits per screening, first, and the hit itself as added", () => {
    const source = kyc();
    const clone = cloneOf(source);
    const aml = source.featureData.aml_screenings![0]!;
    aml.total_hits = 2;
    aml.hits = [
      { caption: "Ada Lovelace", score: 0.91 },
      { caption: "A. Lovelace", score: 0.8 },
    ];
    const diffs = diffDecisions(clone, source, NOW);
    expect(diffs[0]).toEqual({
      path: "aml_screenings.0.total_hits",
      label: "AML screening 1 · Hits",
      kind: "new_aml_hits",
      clone: 0,
      source: 2,
    });
    // Not listed twice as a plain change.
    expect(diffs.filter((d) => d.path === "aml_screenings.0.total_hits")).toHaveLength(1);
    expect(diffs.slice(1).map((d) => [d.kind, d.path])).toEqual([
      ["added", "aml_screenings.0.hits.0"],
      ["added", "aml_screenings.0.hits.1"],
    ]);
  });

  it("counts hits by the list when total_hits is absent, and fewer hits are not new hits", () => {
    const source = kyc();
    const clone = cloneOf(source);
    clone.featureData.aml_screenings![0] = { status: "Approved", hits: [{ caption: "x" }, { caption: "y" }] };
    source.featureData.aml_screenings![0] = { status: "Approved", hits: [{ caption: "x" }] };
    const diffs = diffDecisions(clone, source, NOW);
    expect(diffs.some((d) => d.kind === "new_aml_hits")).toBe(false);
    expect(diffs).toContainEqual(
      expect.objectContaining({ kind: "removed", path: "aml_screenings.0.hits.1" }),
    );
  });

  it("reports an identity document that expired after the clone was made", () => {
    const source = kyc();
    source.featureData.id_verifications![0]!.expiration_date = "2026-11-30";
    const clone = cloneOf(source);
    expect(diffDecisions(clone, source, NOW)).toEqual([
      {
        path: "id_verifications.0.expiration_date",
        label: "Identity document 1 · Expiration date",
        kind: "document_expired",
        clone: "2026-11-30",
        source: "2026-11-30",
      },
    ]);
    // Still valid today: nothing.
    expect(diffDecisions(clone, source, new Date("2026-11-30T08:00:00Z"))).toEqual([]);
  });

  it("reports reviews made at the source after the clone was created, not earlier ones", () => {
    const source = kyc({
      reviews: [
        {
          user: "ops@brand",
          newStatus: "In Review",
          comment: "before",
          createdAt: "2026-11-21T00:00:00.000Z",
        },
      ],
    });
    const clone = cloneOf(source);
    source.reviews.push({
      user: "ops@brand",
      newStatus: "Declined",
      comment: "fraud ring",
      createdAt: "2026-11-28T00:00:00.000Z",
    });
    expect(diffDecisions(clone, source, NOW)).toEqual([
      {
        path: "reviews.1",
        label: "Review 2 at the source",
        kind: "reviews_added",
        clone: null,
        source: source.reviews[1],
      },
    ]);
  });

  it("KYB: a key person added and a nested KYC status changed, matched by person not by position", () => {
    const source = kyb([person("Jane Roe", "Approved"), person("John Doe", "Approved")]);
    const clone = cloneOf(source);
    source.featureData.key_people_checks = [
      person("Marie Curie", "Approved", { role: "Shareholder" }),
      person("Jane Roe", "Approved"),
      person("John Doe", "Declined"),
    ];
    const diffs = diffDecisions(clone, source, NOW);
    expect(diffs.map((d) => [d.kind, d.path, d.label])).toEqual([
      ["added", "key_people_checks.0", "Key person 1"],
      ["changed", "key_people_checks.2.kyc.status", "Key person 3 · KYC · Status"],
    ]);
    expect(diffs[1]).toMatchObject({ clone: "Approved", source: "Declined" });
    expect((diffs[0]!.source as Person).full_name).toBe("Marie Curie");
  });

  it("KYB: a key person removed keeps the clone's index", () => {
    const source = kyb([person("Jane Roe", "Approved"), person("John Doe", "Approved")]);
    const clone = cloneOf(source);
    source.featureData.key_people_checks = [person("John Doe", "Approved")];
    const diffs = diffDecisions(clone, source, NOW);
    expect(diffs).toHaveLength(1);
    expect(diffs[0]).toMatchObject({ kind: "removed", path: "key_people_checks.0", label: "Key person 1" });
    expect((diffs[0]!.clone as Person).full_name).toBe("Jane Roe");
  });

  it("compares non-ASCII values exactly and shows them as they are", () => {
    const source = kyb([person("Zoë Ångström", "Approved")]);
    const clone = cloneOf(source);
    source.featureData.registry_checks![0]!.company_name = "Zürich Données SA";
    source.featureData.registry_checks![0]!.parsed_address = { city: "Genève" };
    const diffs = diffDecisions(clone, source, NOW);
    expect(diffs).toEqual([
      {
        path: "registry_checks.0.company_name",
        label: "Registry check 1 · Company name",
        kind: "changed",
        clone: "Zürich Données AG",
        source: "Zürich Données SA",
      },
      {
        path: "registry_checks.0.parsed_address",
        label: "Registry check 1 · Parsed address",
        kind: "added",
        clone: null,
        source: { city: "Genève" },
      },
    ]);
    // A person whose name is only normalised differently (NFC vs NFD) is the same person.
    const nfd = kyb([person("Zoë Ångström".normalize("NFD"), "Approved")]);
    expect(
      diffDecisions(cloneOf(source), nfd, NOW).filter((d) => d.path.startsWith("key_people_checks")),
    ).toEqual([expect.objectContaining({ kind: "changed", path: "key_people_checks.0.full_name" })]);
  });

  it("orders the four typed kinds first, then by path with numeric indexes", () => {
    const source = kyc({ status: "In Review" });
    source.featureData.id_verifications![0]!.expiration_date = "2026-11-26";
    source.featureData.aml_screenings = Array.from({ length: 11 }, () => ({ total_hits: 0 }));
    const clone = cloneOf(source);
    source.status = "Declined";
    source.featureData.aml_screenings[10]!.total_hits = 1;
    source.featureData.aml_screenings[2]!.total_hits = 3;
    source.featureData.id_verifications![0]!.full_name = "Ada King";
    source.featureData.aml_screenings[9]!.status = "Declined";
    source.reviews = [
      { user: null, newStatus: "Declined", comment: null, createdAt: "2026-11-30T00:00:00Z" },
    ];
    const diffs = diffDecisions(clone, source, NOW);
    expect(diffs.map((d) => `${d.kind} ${d.path}`)).toEqual([
      "status_changed status",
      "new_aml_hits aml_screenings.2.total_hits",
      "new_aml_hits aml_screenings.10.total_hits",
      "document_expired id_verifications.0.expiration_date",
      "reviews_added reviews.0",
      "added aml_screenings.9.status",
      "changed id_verifications.0.full_name",
    ]);
    // Deterministic: the same inputs, the same answer.
    expect(diffDecisions(clone, source, NOW)).toEqual(diffs);
  });
});

describe("labelOf", () => {
  it("reads as a person would say it", () => {
    expect(labelOf(["id_verifications", 0, "expiration_date"])).toBe("Identity document 1 · Expiration date");
    expect(labelOf(["key_people_checks", 4, "kyc", "status"])).toBe("Key person 5 · KYC · Status");
    expect(labelOf(["aml_screenings", 0, "hits", 2, "score"])).toBe("AML screening 1 · Hits 3 · Score");
  });
});
