import { describe, expect, it } from "vitest";
import type { DiditDecision } from "@/lib/server/didit/types";
import { decodeMediaRef, encodeMediaRef, toCloneView, urlAt } from "./clone-view";

const IMPORT = "44444444-4444-4444-8444-444444444444";

function decision(featureData: DiditDecision["featureData"]): DiditDecision {
  return {
    sessionId: "11111111-1111-4111-8111-111111111111",
    sessionKind: "business",
    sessionNumber: 3,
    status: "In Review",
    vendorData: "handoff-x",
    workflowId: null,
    createdAt: new Date("2026-11-20T10:00:00Z"),
    fullName: null,
    companyName: "Zürich Données AG",
    registrationNumber: null,
    documentType: null,
    country: null,
    features: [],
    sharedFromSession: "22222222-2222-4222-8222-222222222222",
    expiresAt: null,
    reviews: [{ user: null, newStatus: "In Review", comment: null, createdAt: "2026-11-20T10:05:00+01:00" }],
    featureData,
  };
}

describe("media refs", () => {
  it("round-trip a JSON path, and only the canonical spelling of one", () => {
    const path = ["document_verifications", 2, "file"];
    const ref = encodeMediaRef(path);
    expect(ref).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeMediaRef(ref)).toEqual(path);
    expect(decodeMediaRef(`${ref}=`)).toBeNull();
    for (const bad of [
      [],
      ["a"],
      ["a", "b", "c"],
      [0, 0, "x"],
      ["a", 1.5, "x"],
      ["a", -1, "x"],
      ["a", 0, ""],
      ["a", 0, { x: 1 }],
      Array.from({ length: 13 }, () => "a"),
    ]) {
      expect(
        decodeMediaRef(Buffer.from(JSON.stringify(bad)).toString("base64url")),
        JSON.stringify(bad),
      ).toBeNull();
    }
    expect(decodeMediaRef("not base64!")).toBeNull();
    expect(decodeMediaRef("a".repeat(1025))).toBeNull();
  });

  it("resolve only to an http(s) URL held at that very path, own properties only", () => {
    const data = {
      id_verifications: [
        { front_image: "https://media.didit.me/a.png?sig=1", full_name: "Ada", back_image: null },
      ],
    } as DiditDecision["featureData"];
    expect(urlAt(data, ["id_verifications", 0, "front_image"])).toBe("https://media.didit.me/a.png?sig=1");
    expect(urlAt(data, ["id_verifications", 0, "full_name"])).toBeNull();
    expect(urlAt(data, ["id_verifications", 0, "back_image"])).toBeNull();
    expect(urlAt(data, ["id_verifications", 1, "front_image"])).toBeNull();
    expect(urlAt(data, ["id_verifications", 0, "__proto__"])).toBeNull();
    expect(urlAt(data, ["id_verifications", 0, "constructor"])).toBeNull();
    expect(urlAt(data, ["id_verifications", "0", "front_image"])).toBeNull();
    const sneaky = { x: [{ f: "javascript:alert(1)" }, { f: "file:///etc/passwd" }] };
    expect(urlAt(sneaky, ["x", 0, "f"])).toBeNull();
    expect(urlAt(sneaky, ["x", 1, "f"])).toBeNull();
  });
});

describe("toCloneView", () => {
  it("rewrites every URL, nested ones included, to the media route of its own path; dates ISO", () => {
    const view = toCloneView(
      decision({
        registry_checks: [
          { registry_extract: "http://127.0.0.1:3000/sandbox/media/kyb-1-registry-extract.png" },
        ],
        document_verifications: [
          {
            file: "https://s3.example/doc.pdf?X-Amz-Signature=abc",
            pages: [{ image: "https://s3.example/p1.png" }],
          },
        ],
        key_people_checks: [{ full_name: "Zoë", kyc: { status: "Approved" } }],
      }),
      IMPORT,
    );
    const file = view.featureData.document_verifications![0]!.file as string;
    expect(file).toBe(
      `/api/imports/${IMPORT}/media/${encodeMediaRef(["document_verifications", 0, "file"])}`,
    );
    const page = (view.featureData.document_verifications![0]!.pages as { image: string }[])[0]!.image;
    expect(decodeMediaRef(page.split("/").pop()!)).toEqual([
      "document_verifications",
      0,
      "pages",
      0,
      "image",
    ]);
    expect(JSON.stringify(view)).not.toMatch(/https?:\/\//);
    expect(view.featureData.key_people_checks).toEqual([{ full_name: "Zoë", kyc: { status: "Approved" } }]);
    expect(view.createdAt).toBe("2026-11-20T10:00:00.000Z");
    expect(view.reviews[0]!.createdAt).toBe("2026-11-20T09:05:00.000Z");
  });

  it("without an import (a sister's source, which our route does not serve) drops its URLs", () => {
    const view = toCloneView(
      decision({ id_verifications: [{ front_image: "https://x/y.png", full_name: "Ada" }] }),
      null,
    );
    expect(view.featureData.id_verifications).toEqual([{ front_image: null, full_name: "Ada" }]);
  });
});
