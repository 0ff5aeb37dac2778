import { describe, expect, it } from "vitest";

import {
  generateSession,
  generateSummary,
  KYB_FEATURE_NAMES,
  KYC_FEATURE_NAMES,
  normalizeSeed,
} from "@/lib/server/sandbox/generator";
import { mediaImage, MEDIA_PREFIX } from "@/lib/server/sandbox/media";
import {
  KYB_FEATURE_KEYS,
  KYC_FEATURE_KEYS_RECIPE,
  SESSION_STATUSES,
  type SessionKind,
  type SessionStatus,
} from "@/lib/server/didit-wire";

const createdAt = new Date("2026-03-01T10:00:00Z");
const gen = (seed: number | string, kind: SessionKind, status: SessionStatus) =>
  generateSession(seed, { kind, status, createdAt });

type Check = { status: string; [k: string]: unknown };
const arrays = (payload: Record<string, unknown>) => Object.values(payload) as Check[][];

/** Per-check statuses, including each key person's. */
function checkStatuses(payload: Record<string, unknown>): string[] {
  return arrays(payload).flatMap((list) => list.map((c) => c.status));
}

function walk(value: unknown, visit: (v: unknown, path: string) => void, path = "$"): void {
  visit(value, path);
  if (Array.isArray(value)) value.forEach((v, i) => walk(v, visit, `${path}[${i}]`));
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) walk(v, visit, `${path}.${k}`);
}

const SEEDS = Array.from({ length: 500 }, (_, i) => i * 7919 + 13);

describe("generateSession", () => {
  it("is deterministic for a seed and differs between seeds", () => {
    for (const kind of ["user", "business"] as const) {
      for (const status of SESSION_STATUSES) {
        expect(gen(42, kind, status)).toEqual(gen(42, kind, status));
      }
      expect(gen(1, kind, "Approved")).not.toEqual(gen(2, kind, "Approved"));
    }
    expect(gen("a-session-uuid", "user", "Approved")).toEqual(gen("a-session-uuid", "user", "Approved"));
    expect(normalizeSeed("x")).not.toBe(normalizeSeed("y"));
    expect(normalizeSeed(12345)).toBe(12345);
    expect(normalizeSeed(2 ** 40 + 5)).not.toBe(normalizeSeed(5));
  });

  it("keeps the same person across statuses of the same seed", () => {
    const approved = gen(99, "user", "Approved").summary;
    expect(gen(99, "user", "Declined").summary.full_name).toBe(approved.full_name);
    expect(generateSummary(99, { kind: "user", status: "In Review", createdAt }).full_name).toBe(
      approved.full_name,
    );
  });

  it("computes the same summary alone as with the payload", () => {
    for (const seed of SEEDS.slice(0, 100)) {
      for (const kind of ["user", "business"] as const) {
        const status = SESSION_STATUSES[seed % SESSION_STATUSES.length]!;
        expect(generateSummary(seed, { kind, status, createdAt })).toEqual(gen(seed, kind, status).summary);
      }
    }
  });

  it("produces varied KYC sessions: locales, scripts, document types, AML hits, scores", () => {
    const countries = new Set<string>();
    const docTypes = new Set<string>();
    const methods = new Set<string>();
    let nonAscii = 0;
    let nonLatin = 0;
    let amlWithHits = 0;
    let amlWithout = 0;
    let whole = 0;
    let fractional = 0;
    const datasets = new Set<string>();
    for (const seed of SEEDS) {
      const status = (["Approved", "Declined", "In Review"] as const)[seed % 3]!;
      const { summary, payload } = gen(seed, "user", status);
      countries.add(summary.country!);
      docTypes.add(summary.document_type!);
      if (/[^\x00-\x7f]/.test(summary.full_name!)) nonAscii++;
      if (/[\u0370-\u03ff\u0600-\u06ff\u3040-\u30ff\u4e00-\u9fff]/.test(summary.full_name!)) nonLatin++;
      for (const aml of payload.aml_screenings as { hits: { datasets: string[] }[] }[]) {
        if (aml.hits.length > 0) amlWithHits++;
        else amlWithout++;
        for (const h of aml.hits) h.datasets.forEach((d) => datasets.add(d));
      }
      for (const l of payload.liveness_checks as { method: string; score: number }[]) {
        methods.add(l.method);
        if (Number.isInteger(l.score)) whole++;
        else fractional++;
      }
    }
    expect(countries.size).toBeGreaterThanOrEqual(6);
    expect([...docTypes].sort()).toEqual([
      "Driver's License",
      "Identity Card",
      "Passport",
      "Residence Permit",
    ]);
    expect([...methods].sort()).toEqual(["ACTIVE_3D", "FLASHING", "PASSIVE"]);
    expect(nonAscii).toBeGreaterThan(100);
    expect(nonLatin).toBeGreaterThan(20);
    expect(amlWithHits).toBeGreaterThan(20);
    expect(amlWithout).toBeGreaterThan(20);
    expect([...datasets].sort()).toEqual(["Adverse Media", "PEP", "Sanctions"]);
    expect(whole).toBeGreaterThan(10);
    expect(fractional).toBeGreaterThan(10);
  });

  it("produces varied KYB sessions with every feature key present somewhere", () => {
    const countries = new Set<string>();
    const nonEmpty = new Set<string>();
    const roles = new Set<string>();
    let nonAscii = 0;
    for (const seed of SEEDS) {
      const { summary, payload } = gen(seed, "business", seed % 2 ? "Approved" : "In Review");
      countries.add(summary.country!);
      if (/[^\x00-\x7f]/.test(summary.company_name!)) nonAscii++;
      for (const [k, v] of Object.entries(payload)) if ((v as unknown[]).length > 0) nonEmpty.add(k);
      for (const kp of payload.key_people_checks as {
        role: string;
        ownership_percentage: number;
        kyc: { session_id: string; status: string; full_name: string };
      }[]) {
        roles.add(kp.role);
        expect(kp.kyc.session_id).toMatch(
          /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        );
        expect(kp.kyc.full_name).toBeTruthy();
        // Nested KYC summaries keep KYC casing.
        expect(SESSION_STATUSES).toContain(kp.kyc.status);
        expect(kp.ownership_percentage).toBeGreaterThanOrEqual(0);
      }
      const owned = (payload.key_people_checks as { ownership_percentage: number }[]).reduce(
        (s, k) => s + k.ownership_percentage,
        0,
      );
      expect(owned).toBeLessThanOrEqual(100.0001);
    }
    expect(countries.size).toBeGreaterThanOrEqual(6);
    expect(nonAscii).toBeGreaterThan(100);
    expect([...nonEmpty].sort()).toEqual([...KYB_FEATURE_KEYS].sort());
    expect(roles.has("Director")).toBe(true);
  });

  it("has exactly the payload keys, arrays of objects, features matching non-empty arrays, no undefined", () => {
    for (const seed of SEEDS.slice(0, 200)) {
      for (const kind of ["user", "business"] as const) {
        const status = SESSION_STATUSES[(seed * 3) % SESSION_STATUSES.length]!;
        const { summary, payload } = gen(seed, kind, status);
        const keys = kind === "user" ? KYC_FEATURE_KEYS_RECIPE : KYB_FEATURE_KEYS;
        const names: Record<string, string> = kind === "user" ? KYC_FEATURE_NAMES : KYB_FEATURE_NAMES;
        expect(Object.keys(payload)).toEqual([...keys]);
        for (const list of arrays(payload)) {
          expect(Array.isArray(list)).toBe(true);
          for (const item of list) expect(typeof item).toBe("object");
        }
        expect(summary.features).toEqual(
          keys.filter((k) => (payload[k] as unknown[]).length > 0).map((k) => names[k]),
        );
        walk({ summary, payload }, (v, path) => {
          if (v === undefined) throw new Error(`undefined at ${path} (seed ${seed}, ${kind}, ${status})`);
          if (typeof v === "number" && !Number.isFinite(v)) throw new Error(`non-finite number at ${path}`);
        });
      }
    }
  });

  it("refers only to media the sandbox serves", () => {
    let count = 0;
    for (const seed of SEEDS.slice(0, 50)) {
      for (const kind of ["user", "business"] as const) {
        walk(gen(seed, kind, "Approved").payload, (v) => {
          if (typeof v === "string" && v.startsWith("/sandbox/")) {
            expect(v.startsWith(MEDIA_PREFIX)).toBe(true);
            expect(mediaImage(v.slice(MEDIA_PREFIX.length))).not.toBeNull();
            count++;
          }
        });
      }
    }
    expect(count).toBeGreaterThan(300);
  });
});

describe("status consistency", () => {
  const kinds = ["user", "business"] as const;

  it.each(kinds)("%s: Approved and Kyc Expired sessions pass every check", (kind) => {
    for (const seed of SEEDS.slice(0, 150)) {
      for (const status of ["Approved", "Kyc Expired"] as const) {
        const { summary, payload } = gen(seed, kind, status);
        expect(new Set(checkStatuses(payload))).toEqual(new Set(["Approved"]));
        expect(summary.features.length).toBeGreaterThanOrEqual(kind === "user" ? 4 : 3);
        expect(summary.full_name ?? summary.company_name).toBeTruthy();
        for (const aml of payload.aml_screenings as { hits: { match_score: number }[] }[])
          for (const h of aml.hits) expect(h.match_score).toBeLessThan(70);
        if (kind === "business" && status === "Approved") {
          for (const kp of payload.key_people_checks as { kyc: { status: string } }[])
            expect(kp.kyc.status).toBe("Approved");
        }
      }
    }
  });

  it.each(kinds)("%s: Declined sessions have a failing check carrying an error warning", (kind) => {
    for (const seed of SEEDS.slice(0, 150)) {
      const { payload } = gen(seed, kind, "Declined");
      const declined = arrays(payload)
        .flat()
        .filter((c) => c.status === "Declined");
      expect(declined.length).toBeGreaterThan(0);
      const errors = arrays(payload)
        .flat()
        .flatMap((c) => c.warnings as { log_type: string }[])
        .filter((w) => w.log_type === "error");
      expect(errors.length).toBeGreaterThan(0);
    }
  });

  it.each(kinds)("%s: In Review sessions have an ambiguous check and none declined", (kind) => {
    for (const seed of SEEDS.slice(0, 150)) {
      const statuses = checkStatuses(gen(seed, kind, "In Review").payload);
      expect(statuses).toContain("In Review");
      expect(statuses).not.toContain("Declined");
    }
  });

  it.each(kinds)("%s: Resubmitted sessions have a step to redo", (kind) => {
    for (const seed of SEEDS.slice(0, 100)) {
      const { payload } = gen(seed, kind, "Resubmitted");
      const redo = arrays(payload)
        .flat()
        .filter((c) => c.status === "Not Finished");
      expect(redo.length).toBeGreaterThan(0);
      expect(
        redo.some((c) => (c.warnings as { risk: string }[]).some((w) => w.risk === "RESUBMISSION_REQUESTED")),
      ).toBe(true);
    }
  });

  it.each(kinds)("%s: unfinished sessions have partial features and no verdicts", (kind) => {
    const all = kind === "user" ? KYC_FEATURE_KEYS_RECIPE.length : KYB_FEATURE_KEYS.length;
    for (const seed of SEEDS.slice(0, 150)) {
      const notStarted = gen(seed, kind, "Not Started");
      expect(checkStatuses(notStarted.payload)).toEqual([]);
      expect(notStarted.summary).toEqual({
        full_name: null,
        document_type: null,
        country: null,
        company_name: null,
        registration_number: null,
        features: [],
      });
      for (const status of ["In Progress", "Awaiting User", "Abandoned", "Expired"] as const) {
        const { summary, payload } = gen(seed, kind, status);
        const statuses = checkStatuses(payload);
        expect(statuses.every((s) => s === "Approved" || s === "Not Finished")).toBe(true);
        // Something is left to do: a missing feature or an unfinished step.
        expect(summary.features.length < all || statuses.includes("Not Finished")).toBe(true);
        if (status === "Awaiting User" || status === "Abandoned") expect(statuses).toContain("Not Finished");
        if (status === "Expired") expect(summary.features.length).toBeLessThanOrEqual(1);
      }
    }
  });

  it("declines for a real reason: sanctions hits, expired documents, low scores", () => {
    const reasons = new Set<string>();
    for (const seed of SEEDS.slice(0, 300)) {
      const { payload } = gen(seed, "user", "Declined");
      for (const c of arrays(payload).flat())
        if (c.status === "Declined") for (const w of c.warnings as { risk: string }[]) reasons.add(w.risk);
      const [idv] = payload.id_verifications as { expiration_date: string; warnings: { risk: string }[] }[];
      if (idv?.warnings.some((w) => w.risk === "DOCUMENT_EXPIRED"))
        expect(idv.expiration_date < "2026-03-01").toBe(true);
      const [face] = payload.face_matches as { status: string; score: number }[];
      if (face?.status === "Declined") expect(face.score).toBeLessThan(40);
      for (const aml of payload.aml_screenings as { status: string; hits: { datasets: string[] }[] }[])
        if (aml.status === "Declined")
          expect(aml.hits.some((h) => h.datasets.includes("Sanctions"))).toBe(true);
    }
    expect(reasons.size).toBeGreaterThanOrEqual(6);
  });
});
