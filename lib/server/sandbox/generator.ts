import "server-only";

import {
  AML_SOURCES,
  DEVICES,
  LOCALES,
  SECTORS,
  VPN_EXITS,
  type City,
  type DocType,
  type Locale,
  type NamePart,
} from "@/lib/server/sandbox/generator-data";
import { mediaPath, type MediaKind } from "@/lib/server/sandbox/media";
import {
  KYB_FEATURE_KEYS,
  KYC_FEATURE_KEYS_RECIPE,
  type KybFeatureKey,
  type KycFeatureKeyRecipe,
  type SessionKind,
  type SessionStatus,
} from "@/lib/server/didit-wire";
import type { SessionSummary } from "@/lib/server/sandbox/types";

/**
 * Deterministic synthetic Didit sessions: the same seed, kind, status and creation date always give
 * the same person or company, checks and media. The outcome of every check is consistent with the
 * session status (Declined has a failing check, In Review an ambiguous one, Approved only passing
 * ones; statuses before the user finishes have partial or empty features). Everything is invented.
 *
 * Two PRNG streams per seed: one for the identity (summary), one for the payload, so the summary can
 * be computed alone (`generateSummary`) and always matches `generateSession`.
 */

export type GenerateOptions = {
  kind: SessionKind;
  status: SessionStatus;
  createdAt: Date;
  /** KYB: exactly this many key people (1–50) instead of the seed's one to four. */
  keyPeopleCount?: number;
};

export const MAX_KEY_PEOPLE = 50;
export type GeneratedSession = { summary: SessionSummary; payload: Record<string, unknown> };
/** Numbers are used as given (reduced to 32 bits); strings are hashed. */
export type Seed = number | string;

/** Feature names as listed in `features`, per payload key. */
export const KYC_FEATURE_NAMES: Record<KycFeatureKeyRecipe, string> = {
  id_verifications: "ID_VERIFICATION",
  liveness_checks: "LIVENESS",
  face_matches: "FACE_MATCH",
  aml_screenings: "AML",
  database_validations: "DATABASE_VALIDATION",
  proof_of_address: "PROOF_OF_ADDRESS",
  location_checks: "IP_ANALYSIS",
  phone_verifications: "PHONE",
  email_verifications: "EMAIL",
};
export const KYB_FEATURE_NAMES: Record<KybFeatureKey, string> = {
  registry_checks: "KYB_REGISTRY",
  key_people_checks: "KYB_KEY_PEOPLE",
  document_verifications: "KYB_DOCUMENTS",
  aml_screenings: "AML",
  questionnaires: "QUESTIONNAIRE",
};

type CheckStatus = "Approved" | "Declined" | "In Review" | "Not Finished";

// ---------------------------------------------------------------------------------------------
// PRNG and small helpers

type Rng = () => number;

/** mulberry32: tiny, fast, good enough for test data. */
function mulberry32(seed: number): Rng {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** The 32-bit seed used for streams and media names. */
export function normalizeSeed(seed: Seed): number {
  if (typeof seed === "string") {
    let h = 0x811c9dc5;
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
    return h >>> 0;
  }
  if (!Number.isFinite(seed)) return 0;
  const n = Math.trunc(seed);
  const hi = Math.floor(n / 4294967296);
  // Seeds within 32 bits are kept as they are (media names show them); wider ones fold their high bits in.
  return hi === 0 ? n >>> 0 : ((n >>> 0) ^ mix32(hi >>> 0)) >>> 0;
}

const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rng, arr: readonly T[]): T => arr[Math.floor(r() * arr.length)] as T;
const chance = (r: Rng, p: number) => r() < p;

/** A score in [lo, hi]: sometimes whole (100.0-like), usually with one or two decimals. */
function score(r: Rng, lo: number, hi: number): number {
  const x = lo + r() * (hi - lo);
  const mode = r();
  if (mode < 0.25) return Math.round(x);
  if (mode < 0.85) return Math.round(x * 10) / 10;
  return Math.round(x * 100) / 100;
}

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ALNUM = "ABCDEFGHJKLMNPRTUVWXYZ0123456789";
const HEX = "0123456789abcdef";

function fromPattern(r: Rng, pattern: string): string {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "9" || c === "#") out += Math.floor(r() * 10);
    else if (c === "8") out += 1 + Math.floor(r() * 9);
    else if (c === "A") out += LETTERS[Math.floor(r() * 26)];
    else if (c === "X") out += ALNUM[Math.floor(r() * ALNUM.length)];
    else out += c;
  }
  return out;
}

function uuid(r: Rng): string {
  let s = "";
  for (let i = 0; i < 32; i++) {
    let d = Math.floor(r() * 16);
    if (i === 12) d = 4;
    else if (i === 16) d = 8 + (d & 3);
    s += HEX[d];
    if (i === 7 || i === 11 || i === 15 || i === 19) s += "-";
  }
  return s;
}

const DAY = 86_400_000;
const YEAR = 365.25 * DAY;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const isoTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString();

function ageAt(dobMs: number, atMs: number): number {
  const a = new Date(atMs);
  const b = new Date(dobMs);
  let age = a.getUTCFullYear() - b.getUTCFullYear();
  if (
    a.getUTCMonth() < b.getUTCMonth() ||
    (a.getUTCMonth() === b.getUTCMonth() && a.getUTCDate() < b.getUTCDate())
  )
    age--;
  return age;
}

type Warning = {
  risk: string;
  additional_data: null;
  log_type: "error" | "warning" | "information";
  short_description: string;
  long_description: string;
};

const WARNINGS: Record<string, [Warning["log_type"], string, string]> = {
  DOCUMENT_EXPIRED: ["error", "Document expired", "The document's expiration date is in the past."],
  KYC_DOCUMENT_EXPIRED: [
    "warning",
    "Document expired after approval",
    "The document used for this verification has expired since the session was approved.",
  ],
  QR_NOT_DETECTED: [
    "information",
    "QR code not detected",
    "The document's QR code could not be read; other checks passed.",
  ],
  LOW_LIVENESS_SCORE: ["error", "Low liveness score", "The liveness score is below the decline threshold."],
  POSSIBLE_PRESENTATION_ATTACK: [
    "error",
    "Presentation attack suspected",
    "A screen replay or mask was detected during the liveness check.",
  ],
  LOW_FACE_MATCH_SIMILARITY: [
    "error",
    "Low face match similarity",
    "The selfie does not match the document portrait closely enough.",
  ],
  FACE_MATCH_IN_REVIEW: [
    "warning",
    "Face match below auto-approval threshold",
    "The similarity is between the decline and approval thresholds; a reviewer should compare the images.",
  ],
  POSSIBLE_MATCH_FOUND: [
    "warning",
    "Possible watchlist match",
    "The screened name matches a watchlist entity; review the hit.",
  ],
  CONFIRMED_SANCTIONS_MATCH: [
    "error",
    "Sanctions match",
    "The screened name and date of birth match an entity on a sanctions list.",
  ],
  IP_VPN_OR_PROXY_DETECTED: [
    "error",
    "VPN or proxy detected",
    "The session was completed through a VPN, proxy or hosting provider.",
  ],
  IP_COUNTRY_MISMATCH: [
    "warning",
    "IP country differs from document country",
    "The device's IP address is located in a different country than the document's issuing state.",
  ],
  DATABASE_NO_MATCH: [
    "error",
    "No match in government database",
    "The identity data could not be matched against the issuing country's database.",
  ],
  POA_NAME_MISMATCH: [
    "warning",
    "Name on proof of address differs",
    "The name on the proof of address only partially matches the verified identity.",
  ],
  DISPOSABLE_EMAIL: [
    "error",
    "Disposable e-mail address",
    "The e-mail address belongs to a disposable e-mail provider.",
  ],
  RESUBMISSION_REQUESTED: [
    "warning",
    "Resubmission requested",
    "The user was asked to repeat this step after a failed attempt.",
  ],
  COMPANY_NOT_ACTIVE: ["error", "Company not active", "The registry lists the company as dissolved."],
  KEY_PERSON_KYC_DECLINED: [
    "error",
    "Key person verification declined",
    "The identity verification of a key person was declined.",
  ],
  KEY_PERSON_KYC_IN_REVIEW: [
    "warning",
    "Key person verification in review",
    "A key person's identity verification awaits review.",
  ],
  KEY_PERSON_KYC_EXPIRED: [
    "warning",
    "Key person verification expired",
    "A key person's identity verification has expired.",
  ],
  KEY_PERSON_PEP: [
    "warning",
    "Key person is a PEP",
    "A beneficial owner or officer is a politically exposed person.",
  ],
  DOCUMENT_DATA_MISMATCH: [
    "error",
    "Document data mismatch",
    "The registration number on the document differs from the registry record.",
  ],
  PROOF_OF_ADDRESS_OUTDATED: [
    "warning",
    "Proof of address older than 3 months",
    "The business proof of address was issued more than three months ago.",
  ],
  HIGH_RISK_ACTIVITY: [
    "warning",
    "High-risk business activity",
    "The questionnaire declares activities that require enhanced due diligence.",
  ],
};

function warning(risk: keyof typeof WARNINGS): Warning {
  const [log_type, short_description, long_description] = WARNINGS[risk] as [
    Warning["log_type"],
    string,
    string,
  ];
  return { risk, additional_data: null, log_type, short_description, long_description };
}

// ---------------------------------------------------------------------------------------------
// Identity (summary) phase

type KycStep = "id" | "liveness" | "face" | "aml" | "db" | "poa" | "ip" | "phone" | "email";
type KybStep = "registry" | "documents" | "people" | "questionnaire" | "aml";

const KYC_STEP_KEY: Record<KycStep, KycFeatureKeyRecipe> = {
  id: "id_verifications",
  liveness: "liveness_checks",
  face: "face_matches",
  aml: "aml_screenings",
  db: "database_validations",
  poa: "proof_of_address",
  ip: "location_checks",
  phone: "phone_verifications",
  email: "email_verifications",
};
const KYB_STEP_KEY: Record<KybStep, KybFeatureKey> = {
  registry: "registry_checks",
  people: "key_people_checks",
  documents: "document_verifications",
  aml: "aml_screenings",
  questionnaire: "questionnaires",
};

/** The order a user goes through the flow (IP analysis happens on opening the link). */
const KYC_FLOW: readonly KycStep[] = ["id", "liveness", "face", "aml", "db", "phone", "email", "poa"];
const KYB_FLOW: readonly KybStep[] = ["registry", "documents", "people", "questionnaire", "aml"];

type Outcome = "approved" | "declined" | "review" | "resubmit" | "kyc_expired" | "partial";

type Progress<S extends string> = {
  /** Steps with a check in the payload, with that check's status. */
  checks: Map<S, CheckStatus>;
  outcome: Outcome;
  /** The failure or review reason, on the step that carries it. */
  mode: string | null;
  modeStep: S | null;
};

function plan<S extends string>(
  r: Rng,
  status: SessionStatus,
  enabled: readonly S[],
  opening: S | null,
  modes: { declined: [S, string][]; review: [S, string][]; resubmit: [S, string][] },
): Progress<S> {
  const checks = new Map<S, CheckStatus>();
  const flow = enabled.filter((s) => s !== opening);
  const partial = (completed: number, notFinished: boolean, withOpening: boolean): Progress<S> => {
    if (withOpening && opening) checks.set(opening, "Approved");
    for (let i = 0; i < completed; i++) checks.set(flow[i] as S, "Approved");
    if (notFinished && completed < flow.length) checks.set(flow[completed] as S, "Not Finished");
    return { checks, outcome: "partial", mode: null, modeStep: null };
  };
  switch (status) {
    case "Not Started":
      return { checks, outcome: "partial", mode: null, modeStep: null };
    case "Expired":
      return partial(0, false, chance(r, 0.3));
    case "In Progress":
      return partial(int(r, 0, Math.min(3, flow.length - 1)), chance(r, 0.5), true);
    case "Awaiting User":
      return partial(int(r, 1, flow.length - 1), true, true);
    case "Abandoned":
      return partial(int(r, 0, flow.length - 1), true, true);
    default:
      break;
  }
  for (const s of enabled) checks.set(s, "Approved");
  const choose = (list: [S, string][]) => {
    const usable = list.filter(([s]) => checks.has(s));
    return usable.length > 0 ? pick(r, usable) : null;
  };
  let outcome: Outcome = "approved";
  let chosen: [S, string] | null = null;
  if (status === "Declined") {
    outcome = "declined";
    chosen = choose(modes.declined);
    if (chosen) checks.set(chosen[0], "Declined");
  } else if (status === "In Review") {
    outcome = "review";
    chosen = choose(modes.review);
    if (chosen) checks.set(chosen[0], "In Review");
  } else if (status === "Resubmitted") {
    outcome = "resubmit";
    chosen = choose(modes.resubmit);
    if (chosen) checks.set(chosen[0], "Not Finished");
  } else if (status === "Kyc Expired") {
    outcome = "kyc_expired";
  }
  return { checks, outcome, mode: chosen ? chosen[1] : null, modeStep: chosen ? chosen[0] : null };
}

type Person = {
  locale: Locale;
  gender: "M" | "F";
  first: NamePart;
  last: NamePart;
  fullName: string;
  latinName: string;
};

function person(r: Rng, locale: Locale): Person {
  const gender = chance(r, 0.5) ? "M" : "F";
  const first = pick(r, gender === "M" ? locale.male : locale.female);
  const i = Math.floor(r() * locale.last.length);
  let last = (gender === "M" ? locale.last : locale.lastFemale)[i] as NamePart;
  if (locale.doubleSurname) {
    const second = pick(r, locale.last);
    if (second.n !== last.n) last = { n: `${last.n} ${second.n}`, l: `${last.l} ${second.l}` };
  }
  const fullName = locale.familyFirst ? `${last.n} ${first.n}` : `${first.n} ${last.n}`;
  const latinName = locale.familyFirst ? `${last.l} ${first.l}` : `${first.l} ${last.l}`;
  return { locale, gender, first, last, fullName, latinName };
}

type KycIdentity = {
  seed: number;
  status: SessionStatus;
  createdMs: number;
  issuing: Locale;
  person: Person;
  docType: DocType;
  progress: Progress<KycStep>;
};

const KYC_MODES = {
  declined: [
    ["id", "document_expired"],
    ["liveness", "presentation_attack"],
    ["liveness", "low_liveness"],
    ["face", "face_mismatch"],
    ["aml", "sanctions"],
    ["db", "db_no_match"],
    ["ip", "vpn"],
    ["email", "disposable_email"],
  ] as [KycStep, string][],
  review: [
    ["aml", "pep"],
    ["aml", "adverse_media"],
    ["face", "face_borderline"],
    ["poa", "poa_name_mismatch"],
    ["ip", "ip_country_mismatch"],
  ] as [KycStep, string][],
  resubmit: [
    ["id", "document_expired"],
    ["liveness", "low_liveness"],
    ["face", "face_mismatch"],
    ["poa", "poa_name_mismatch"],
  ] as [KycStep, string][],
};

function kycIdentity(seed: number, opts: GenerateOptions): KycIdentity {
  const r = mulberry32(mix32(seed ^ 0x9e3779b9));
  const issuing = pick(r, LOCALES);
  const docType = pick(r, issuing.docTypes);
  // A residence permit is held by a foreign national.
  let nameLocale = issuing;
  if (docType === "Residence Permit") {
    nameLocale = pick(r, LOCALES);
    if (nameLocale === issuing)
      nameLocale = LOCALES[(LOCALES.indexOf(issuing) + 1) % LOCALES.length] as Locale;
  }
  const who = person(r, nameLocale);
  const enabled: KycStep[] = ["id", "liveness", "face"];
  if (chance(r, 0.85)) enabled.push("aml");
  if (chance(r, 0.3)) enabled.push("db");
  if (chance(r, 0.5)) enabled.push("phone");
  if (chance(r, 0.55)) enabled.push("email");
  if (chance(r, 0.35)) enabled.push("poa");
  enabled.push("ip");
  const ordered = KYC_FLOW.filter((s) => enabled.includes(s));
  const progress = plan<KycStep>(r, opts.status, [...ordered, "ip"], "ip", KYC_MODES);
  return {
    seed,
    status: opts.status,
    createdMs: opts.createdAt.getTime(),
    issuing,
    person: who,
    docType,
    progress,
  };
}

function kycSummary(id: KycIdentity): SessionSummary {
  const idDone = id.progress.checks.has("id") && id.progress.checks.get("id") !== "Not Finished";
  return {
    full_name: idDone ? id.person.fullName : null,
    document_type: idDone ? id.docType : null,
    country: idDone ? id.issuing.a3 : null,
    company_name: null,
    registration_number: null,
    features: KYC_FEATURE_KEYS_RECIPE.filter((k) => hasStep(id.progress, k, KYC_STEP_KEY)).map(
      (k) => KYC_FEATURE_NAMES[k],
    ),
  };
}

function hasStep<S extends string, K extends string>(p: Progress<S>, key: K, map: Record<S, K>): boolean {
  for (const s of p.checks.keys()) if (map[s] === key) return true;
  return false;
}

type KybIdentity = {
  seed: number;
  status: SessionStatus;
  createdMs: number;
  locale: Locale;
  companyName: string;
  legalForm: string;
  sector: string;
  registrationNumber: string;
  progress: Progress<KybStep>;
  keyPeopleCount: number | null;
};

const KYB_MODES = {
  declined: [
    ["registry", "company_dissolved"],
    ["people", "kyc_declined"],
    ["documents", "doc_mismatch"],
    ["aml", "sanctions"],
  ] as [KybStep, string][],
  review: [
    ["people", "pep_ubo"],
    ["people", "kyc_in_review"],
    ["documents", "poa_outdated"],
    ["questionnaire", "high_risk"],
    ["aml", "adverse_media"],
  ] as [KybStep, string][],
  resubmit: [
    ["documents", "doc_mismatch"],
    ["documents", "poa_outdated"],
  ] as [KybStep, string][],
};

function kybIdentity(seed: number, opts: GenerateOptions): KybIdentity {
  const r = mulberry32(mix32(seed ^ 0x85ebca6b));
  const locale = pick(r, LOCALES);
  const a = pick(r, locale.coA);
  const legalForm = pick(r, locale.forms);
  const companyName = locale.company(a.word, pick(r, locale.coB), legalForm);
  const registrationNumber = fromPattern(r, locale.regPattern);
  const enabled: KybStep[] = ["registry", "documents", "people"];
  if (chance(r, 0.6)) enabled.push("questionnaire");
  if (chance(r, 0.85)) enabled.push("aml");
  const ordered = KYB_FLOW.filter((s) => enabled.includes(s));
  const progress = plan<KybStep>(r, opts.status, ordered, null, KYB_MODES);
  return {
    seed,
    status: opts.status,
    createdMs: opts.createdAt.getTime(),
    locale,
    companyName,
    legalForm,
    sector: a.sector,
    registrationNumber,
    progress,
    keyPeopleCount: opts.keyPeopleCount ?? null,
  };
}

function kybSummary(id: KybIdentity): SessionSummary {
  const done =
    id.progress.checks.get("registry") === "Approved" || id.progress.checks.get("registry") === "Declined";
  return {
    full_name: null,
    document_type: null,
    country: done ? id.locale.a3 : null,
    company_name: done ? id.companyName : null,
    registration_number: done ? id.registrationNumber : null,
    features: KYB_FEATURE_KEYS.filter((k) => hasStep(id.progress, k, KYB_STEP_KEY)).map(
      (k) => KYB_FEATURE_NAMES[k],
    ),
  };
}

// ---------------------------------------------------------------------------------------------
// Payload phase: KYC

type Media = (name: string) => string;

function mediaFor(kind: MediaKind, seed: number): Media {
  return (name) => mediaPath(kind, seed, name);
}

type Address = { line: string; street: string; city: City; postal: string };

function address(r: Rng, locale: Locale): Address {
  const street = pick(r, locale.streets);
  const city = pick(r, locale.cities);
  const postal = fromPattern(r, locale.postal);
  return { line: locale.address(street, int(r, 1, 180), postal, city), street, city, postal };
}

function parsedAddress(a: Address, locale: Locale) {
  return {
    street: a.street,
    city: a.city.name,
    region: a.city.region,
    postal_code: a.postal,
    country: locale.a2,
    latitude: a.city.lat,
    longitude: a.city.lon,
  };
}

const notFinished = (nodeId: string) => ({
  node_id: nodeId,
  status: "Not Finished",
  warnings: [] as Warning[],
});

type AmlHitSpec = { datasets: string[]; scoreLo: number; scoreHi: number; review: string };

function amlHit(
  r: Rng,
  name: string,
  birthDate: string | null,
  country: string,
  entityType: string,
  spec: AmlHitSpec,
  createdMs: number,
) {
  const sources: string[] = [];
  for (const d of spec.datasets) sources.push(pick(r, AML_SOURCES[d] ?? ["Watchlist"]));
  return {
    id: `aml-${uuid(r).slice(0, 13)}`,
    entity_type: entityType,
    entity_name: name,
    match_score: score(r, spec.scoreLo, spec.scoreHi),
    datasets: spec.datasets,
    sources,
    countries: [country],
    birth_date: birthDate,
    first_seen: isoDate(createdMs - int(r, 200, 3000) * DAY),
    last_seen: isoDate(createdMs - int(r, 1, 60) * DAY),
    review_status: spec.review,
  };
}

function buildKyc(id: KycIdentity): Record<string, unknown> {
  const r = mulberry32(mix32(id.seed ^ 0xc2b2ae35));
  const { issuing, person: p, progress, createdMs } = id;
  const media = mediaFor("kyc", id.seed);
  const mode = progress.mode;
  const at = (minutes: number) => isoTime(createdMs + minutes * 60_000 + int(r, 0, 59) * 1000);

  // Facts shared by several checks.
  const dobMs = createdMs - int(r, 18, 78) * YEAR - int(r, 0, 364) * DAY;
  const dob = isoDate(dobMs);
  const validity = id.docType === "Residence Permit" ? 5 : id.docType === "Driver's License" ? 15 : 10;
  let issueMs = createdMs - int(r, 30, (validity - 1) * 365) * DAY;
  let expiryMs = issueMs + validity * YEAR;
  if (mode === "document_expired") {
    expiryMs = createdMs - int(r, 10, 700) * DAY;
    issueMs = expiryMs - validity * YEAR;
  } else if (progress.outcome === "kyc_expired") {
    expiryMs = createdMs + int(r, 5, 120) * DAY;
    issueMs = expiryMs - validity * YEAR;
  }
  const home = address(r, issuing);
  const docNumber = fromPattern(r, issuing.docs[id.docType] ?? "999999999");
  const nationality = p.locale.a3;
  const device = pick(r, DEVICES);
  const out: Record<string, unknown[]> = {};
  for (const key of KYC_FEATURE_KEYS_RECIPE) out[key] = [];

  for (const [step, status] of progress.checks) {
    const key = KYC_STEP_KEY[step];
    const isMode = progress.modeStep === step;
    const warnings: Warning[] = [];
    if (status === "Not Finished") {
      const nf = notFinished(`feature_${step}`);
      if (isMode && progress.outcome === "resubmit") nf.warnings.push(warning("RESUBMISSION_REQUESTED"));
      out[key]!.push(nf);
      continue;
    }
    switch (step) {
      case "id": {
        if (isMode && mode === "document_expired") warnings.push(warning("DOCUMENT_EXPIRED"));
        if (progress.outcome === "kyc_expired") warnings.push(warning("KYC_DOCUMENT_EXPIRED"));
        if (status === "Approved" && chance(r, 0.2)) warnings.push(warning("QR_NOT_DETECTED"));
        const passport = id.docType === "Passport";
        out[key]!.push({
          node_id: "feature_ocr",
          status,
          document_type: id.docType,
          document_number: docNumber,
          personal_number: passport ? null : fromPattern(r, "99999999"),
          first_name: p.first.n,
          last_name: p.last.n,
          full_name: p.fullName,
          gender: p.gender,
          date_of_birth: dob,
          age: ageAt(dobMs, createdMs),
          date_of_issue: isoDate(issueMs),
          expiration_date: isoDate(expiryMs),
          issuing_state: issuing.a3,
          issuing_state_name: issuing.country,
          nationality,
          place_of_birth: pick(r, p.locale.cities).name,
          address: passport ? null : home.line,
          parsed_address: passport ? null : parsedAddress(home, issuing),
          front_image: media("front"),
          back_image: passport ? null : media("back"),
          portrait_image: media("portrait"),
          warnings,
        });
        break;
      }
      case "liveness": {
        const method = pick(r, ["ACTIVE_3D", "FLASHING", "PASSIVE"] as const);
        let s: number;
        if (isMode && mode === "presentation_attack") {
          s = score(r, 2, 25);
          warnings.push(warning("POSSIBLE_PRESENTATION_ATTACK"));
        } else if (isMode && mode === "low_liveness") {
          s = score(r, 20, 49);
          warnings.push(warning("LOW_LIVENESS_SCORE"));
        } else s = chance(r, 0.15) ? 100 : score(r, 82, 99.9);
        out[key]!.push({
          node_id: "feature_liveness",
          status,
          method,
          score: s,
          age_estimation: Math.round((ageAt(dobMs, createdMs) + (r() * 6 - 3)) * 10) / 10,
          reference_image: media("selfie"),
          video_frame: media("liveness"),
          warnings,
        });
        break;
      }
      case "face": {
        let s: number;
        if (isMode && mode === "face_mismatch") {
          s = score(r, 8, 39);
          warnings.push(warning("LOW_FACE_MATCH_SIMILARITY"));
        } else if (isMode && mode === "face_borderline") {
          s = score(r, 50, 69);
          warnings.push(warning("FACE_MATCH_IN_REVIEW"));
        } else s = chance(r, 0.15) ? 100 : score(r, 80, 99.8);
        out[key]!.push({
          node_id: "feature_face_match",
          status,
          score: s,
          source_image: media("portrait"),
          target_image: media("selfie"),
          warnings,
        });
        break;
      }
      case "aml": {
        const hits: unknown[] = [];
        const birthYear = dob.slice(0, 4);
        if (isMode && mode === "sanctions") {
          warnings.push(warning("CONFIRMED_SANCTIONS_MATCH"));
          const spec = {
            datasets: chance(r, 0.5) ? ["Sanctions"] : ["Sanctions", "PEP"],
            scoreLo: 95,
            scoreHi: 100,
            review: "Confirmed Match",
          };
          hits.push(amlHit(r, p.fullName, dob, p.locale.a2, "person", spec, createdMs));
        } else if (isMode && (mode === "pep" || mode === "adverse_media")) {
          warnings.push(warning("POSSIBLE_MATCH_FOUND"));
          const datasets =
            mode === "pep" ? (chance(r, 0.6) ? ["PEP"] : ["PEP", "Adverse Media"]) : ["Adverse Media"];
          hits.push(
            amlHit(
              r,
              p.fullName,
              birthYear,
              p.locale.a2,
              "person",
              { datasets, scoreLo: 78, scoreHi: 94, review: "Unreviewed" },
              createdMs,
            ),
          );
        } else if (chance(r, 0.35)) {
          // False positives: a namesake with a different birth year, below the match threshold.
          const n = int(r, 1, 2);
          for (let i = 0; i < n; i++) {
            const namesake = person(r, p.locale);
            const name = p.locale.familyFirst
              ? `${p.last.n} ${namesake.first.n}`
              : `${namesake.first.n} ${p.last.n}`;
            const datasets = [pick(r, ["PEP", "Sanctions", "Adverse Media"])];
            const year = String(Number(birthYear) + int(r, 6, 30) * (chance(r, 0.5) ? 1 : -1));
            hits.push(
              amlHit(
                r,
                name,
                year,
                p.locale.a2,
                "person",
                { datasets, scoreLo: 35, scoreHi: 68, review: "False Positive" },
                createdMs,
              ),
            );
          }
        }
        let top = 0;
        for (const h of hits) top = Math.max(top, (h as { match_score: number }).match_score);
        out[key]!.push({
          node_id: "feature_aml",
          status,
          total_hits: hits.length,
          score: top,
          screened_data: {
            full_name: p.fullName,
            date_of_birth: dob,
            nationality,
            document_number: docNumber,
          },
          hits,
          warnings,
        });
        break;
      }
      case "db": {
        const failed = isMode && mode === "db_no_match";
        if (failed) warnings.push(warning("DATABASE_NO_MATCH"));
        const result = failed ? "NO_MATCH" : "FULL_MATCH";
        out[key]!.push({
          node_id: "feature_database_validation",
          status,
          issuing_state: issuing.a3,
          validation_type: "one_by_one",
          match_type: failed ? "no_match" : "full_match",
          screened_data: {
            first_name: p.first.n,
            last_name: p.last.n,
            date_of_birth: dob,
            document_number: docNumber,
          },
          validations: {
            full_name: result,
            date_of_birth: failed ? "PARTIAL_MATCH" : result,
            identification_number: result,
          },
          warnings,
        });
        break;
      }
      case "poa": {
        const mismatch = isMode && mode === "poa_name_mismatch";
        if (mismatch) warnings.push(warning("POA_NAME_MISMATCH"));
        const docTypeChoice = pick(r, [
          "UTILITY_BILL",
          "BANK_STATEMENT",
          "TAX_DOCUMENT",
          "GOVERNMENT_LETTER",
        ] as const);
        out[key]!.push({
          node_id: "feature_poa",
          status,
          document_type: docTypeChoice,
          issuer: pick(r, issuing.poaIssuers),
          issue_date: isoDate(createdMs - int(r, 5, 80) * DAY),
          document_language: issuing.tag.slice(0, 2),
          name_on_document: mismatch
            ? `${pick(r, p.gender === "M" ? p.locale.male : p.locale.female).n} ${p.last.n}`
            : p.fullName,
          name_match: !mismatch,
          poa_address: home.line,
          poa_parsed_address: parsedAddress(home, issuing),
          document_file: media("poa"),
          warnings,
        });
        break;
      }
      case "ip": {
        const vpn = isMode && mode === "vpn";
        const abroad = isMode && mode === "ip_country_mismatch";
        let ipAddress: string;
        let country: string;
        let a2: string;
        let city: string;
        let isp: string;
        let tz: string;
        let lat: number;
        let lon: number;
        if (vpn) {
          const exit = pick(r, VPN_EXITS);
          ipAddress = `${exit.prefix}.${int(r, 1, 254)}`;
          ({ country, a2, city, isp, tz } = exit);
          lat = 0;
          lon = 0;
          warnings.push(warning("IP_VPN_OR_PROXY_DETECTED"));
        } else {
          let where = issuing;
          if (abroad) {
            where = LOCALES[
              (LOCALES.indexOf(issuing) + int(r, 1, LOCALES.length - 1)) % LOCALES.length
            ] as Locale;
            warnings.push(warning("IP_COUNTRY_MISMATCH"));
          }
          const c = abroad || chance(r, 0.2) ? pick(r, where.cities) : home.city;
          ipAddress = `${pick(r, where.ipPrefixes)}.${int(r, 0, 255)}.${int(r, 1, 254)}`;
          country = where.country;
          a2 = where.a2;
          city = c.name;
          isp = pick(r, where.isps);
          tz = where.timeZone;
          lat = c.lat;
          lon = c.lon;
        }
        out[key]!.push({
          node_id: "feature_ip_analysis",
          status,
          ip_address: ipAddress,
          ip_country: country,
          ip_country_code: a2,
          ip_city: city,
          isp,
          organization: isp,
          latitude: vpn ? null : lat,
          longitude: vpn ? null : lon,
          time_zone: tz,
          is_vpn_or_tor: vpn,
          is_proxy: vpn && chance(r, 0.5),
          is_data_center: vpn,
          device_brand: device.brand,
          device_model: device.model,
          os_family: device.os,
          browser_family: device.browser,
          platform: device.platform,
          warnings,
        });
        break;
      }
      case "phone": {
        const national = fromPattern(r, issuing.phonePattern);
        out[key]!.push({
          node_id: "feature_phone",
          status,
          phone_number_prefix: issuing.phonePrefix,
          phone_number: national,
          full_number: `${issuing.phonePrefix}${national}`,
          country_code: issuing.a2,
          carrier: { name: pick(r, issuing.carriers), type: "mobile" },
          is_disposable: false,
          is_virtual: false,
          verification_method: chance(r, 0.8) ? "sms" : "whatsapp",
          verification_attempts: int(r, 1, 2),
          verified_at: at(int(r, 1, 9)),
          warnings,
        });
        break;
      }
      case "email": {
        const disposable = isMode && mode === "disposable_email";
        if (disposable) warnings.push(warning("DISPOSABLE_EMAIL"));
        const handle = `${p.first.l}.${p.last.l}`.toLowerCase().replace(/[^a-z0-9.]+/g, "-");
        const domain = disposable
          ? "tempinbox.example"
          : pick(r, ["example.com", "example.org", "example.net"]);
        const breached = !disposable && chance(r, 0.25);
        out[key]!.push({
          node_id: "feature_email",
          status,
          email: `${handle}${int(r, 1, 99)}@${domain}`,
          is_breached: breached,
          breaches: breached
            ? [{ name: "Sample forum breach", breach_date: isoDate(createdMs - int(r, 300, 3000) * DAY) }]
            : [],
          is_disposable: disposable,
          is_undeliverable: false,
          verification_attempts: 1,
          verified_at: at(int(r, 1, 9)),
          warnings,
        });
        break;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Payload phase: KYB

const ROLES = ["Director", "Shareholder", "Legal Representative", "CEO"] as const;

function buildKyb(id: KybIdentity): Record<string, unknown> {
  const r = mulberry32(mix32(id.seed ^ 0x27d4eb2f));
  const { locale, progress, createdMs } = id;
  const media = mediaFor("kyb", id.seed);
  const mode = progress.mode;
  const out: Record<string, unknown[]> = {};
  for (const key of KYB_FEATURE_KEYS) out[key] = [];
  const registered = address(r, locale);
  const incorporationMs = createdMs - int(r, 200, 40 * 365) * DAY;
  const sector = SECTORS[id.sector] ?? {
    code: "82.99",
    description: "Other business support service activities",
  };

  // Key people: one to four (or as many as asked), at least one director; owners share 100 %.
  // The draw is made either way, so a seed's other data does not depend on the option.
  const drawn = int(r, 1, 4);
  const n = id.keyPeopleCount === null ? drawn : Math.min(Math.max(1, id.keyPeopleCount), MAX_KEY_PEOPLE);
  const people: { p: Person; role: string; share: number; dob: string }[] = [];
  let remaining = 100;
  for (let i = 0; i < n; i++) {
    const who = person(r, chance(r, 0.8) ? locale : pick(r, LOCALES));
    const role = i === 0 ? "Director" : pick(r, ROLES);
    const owner = role === "Shareholder" || i === 0 || chance(r, 0.3);
    let share = 0;
    if (owner && remaining > 0) {
      share = i === n - 1 ? remaining : Math.min(remaining, score(r, 5, remaining));
      share = Math.round(share * 10) / 10;
      remaining = Math.round((remaining - share) * 10) / 10;
    }
    people.push({
      p: who,
      role,
      share,
      dob: isoDate(createdMs - int(r, 25, 75) * YEAR - int(r, 0, 364) * DAY),
    });
  }
  const flagged = int(r, 0, n - 1);

  for (const [step, status] of progress.checks) {
    const key = KYB_STEP_KEY[step];
    const isMode = progress.modeStep === step;
    const warnings: Warning[] = [];
    if (status === "Not Finished") {
      const nf = notFinished(`feature_kyb_${step}`);
      if (isMode && progress.outcome === "resubmit") nf.warnings.push(warning("RESUBMISSION_REQUESTED"));
      out[key]!.push(nf);
      continue;
    }
    switch (step) {
      case "registry": {
        const dissolved = isMode && mode === "company_dissolved";
        if (dissolved) warnings.push(warning("COMPANY_NOT_ACTIVE"));
        const [lo, hi] = locale.shareCapital;
        out[key]!.push({
          node_id: "feature_kyb_registry",
          status,
          company_name: id.companyName,
          legal_form: id.legalForm,
          registration_number: id.registrationNumber,
          country: locale.a3,
          country_code: locale.a2,
          registry_name: locale.registry,
          incorporation_date: isoDate(incorporationMs),
          company_status: dissolved ? "Dissolved" : "Active",
          registered_address: registered.line,
          parsed_address: parsedAddress(registered, locale),
          industry: { code: sector.code, description: sector.description },
          share_capital: {
            amount: Math.round((lo + r() * (hi - lo)) / 100) * 100,
            currency: locale.currency,
          },
          officers_count: people.filter((x) => x.role !== "Shareholder").length,
          registry_extract: media("registry-extract"),
          retrieved_at: isoTime(createdMs + int(r, 1, 30) * 60_000),
          warnings,
        });
        break;
      }
      case "people": {
        for (let i = 0; i < people.length; i++) {
          const k = people[i]!;
          const w: Warning[] = [];
          let kycStatus: SessionStatus = "Approved";
          let check: CheckStatus = "Approved";
          let pep = false;
          if (isMode && i === flagged) {
            if (mode === "kyc_declined") {
              kycStatus = "Declined";
              check = "Declined";
              w.push(warning("KEY_PERSON_KYC_DECLINED"));
            } else if (mode === "kyc_in_review") {
              kycStatus = "In Review";
              check = "In Review";
              w.push(warning("KEY_PERSON_KYC_IN_REVIEW"));
            } else if (mode === "pep_ubo") {
              pep = true;
              check = "In Review";
              w.push(warning("KEY_PERSON_PEP"));
            }
          } else if (progress.outcome === "kyc_expired" && i === flagged) {
            kycStatus = "Kyc Expired";
            w.push(warning("KEY_PERSON_KYC_EXPIRED"));
          } else if (progress.outcome === "partial" && chance(r, 0.4)) {
            kycStatus = pick(r, ["Not Started", "In Progress"] as const);
            check = "Not Finished";
          }
          const verified = kycStatus !== "Not Started" && kycStatus !== "In Progress";
          out[key]!.push({
            node_id: "feature_kyb_key_people",
            status: check,
            full_name: k.p.fullName,
            first_name: k.p.first.n,
            last_name: k.p.last.n,
            role: k.role,
            ownership_percentage: k.share,
            is_ubo: k.share >= 25,
            is_pep: pep,
            date_of_birth: k.dob,
            nationality: k.p.locale.a3,
            kyc: {
              session_id: uuid(r),
              session_number: int(r, 1, 9000),
              session_kind: "user",
              status: kycStatus,
              full_name: k.p.fullName,
              document_type: verified ? pick(r, k.p.locale.docTypes) : null,
              country: k.p.locale.a3,
              verified_at: verified ? isoTime(createdMs - int(r, 0, 300) * DAY) : null,
            },
            warnings: w,
          });
        }
        break;
      }
      case "documents": {
        const types = ["CERTIFICATE_OF_INCORPORATION", "ARTICLES_OF_ASSOCIATION"];
        if (chance(r, 0.7) || (isMode && mode === "poa_outdated")) types.push("PROOF_OF_ADDRESS");
        if (chance(r, 0.4)) types.push("SHAREHOLDER_REGISTER");
        const files: Record<string, string> = {
          CERTIFICATE_OF_INCORPORATION: "incorporation",
          ARTICLES_OF_ASSOCIATION: "articles",
          PROOF_OF_ADDRESS: "address",
          SHAREHOLDER_REGISTER: "register",
        };
        for (const t of types) {
          const w: Warning[] = [];
          let s: CheckStatus = "Approved";
          let regNo = id.registrationNumber;
          let issued =
            t === "PROOF_OF_ADDRESS"
              ? createdMs - int(r, 5, 80) * DAY
              : incorporationMs + int(r, 0, 30) * DAY;
          if (isMode && mode === "doc_mismatch" && t === "CERTIFICATE_OF_INCORPORATION") {
            s = status;
            regNo = fromPattern(r, locale.regPattern);
            w.push(warning("DOCUMENT_DATA_MISMATCH"));
          } else if (isMode && mode === "poa_outdated" && t === "PROOF_OF_ADDRESS") {
            s = status;
            issued = createdMs - int(r, 120, 400) * DAY;
            w.push(warning("PROOF_OF_ADDRESS_OUTDATED"));
          }
          out[key]!.push({
            node_id: "feature_kyb_documents",
            status: s,
            document_type: t,
            file: media(files[t] as string),
            issuer: t === "PROOF_OF_ADDRESS" ? pick(r, locale.poaIssuers) : locale.registry,
            issue_date: isoDate(issued),
            extracted_data: {
              company_name: id.companyName,
              registration_number: regNo,
              address: registered.line,
            },
            name_match: true,
            warnings: w,
          });
        }
        break;
      }
      case "aml": {
        const hits: unknown[] = [];
        if (isMode && mode === "sanctions") {
          warnings.push(warning("CONFIRMED_SANCTIONS_MATCH"));
          const k = people[flagged]!;
          hits.push(
            amlHit(
              r,
              k.p.fullName,
              k.dob,
              k.p.locale.a2,
              "person",
              { datasets: ["Sanctions"], scoreLo: 95, scoreHi: 100, review: "Confirmed Match" },
              createdMs,
            ),
          );
        } else if (isMode && mode === "adverse_media") {
          warnings.push(warning("POSSIBLE_MATCH_FOUND"));
          hits.push(
            amlHit(
              r,
              id.companyName,
              null,
              locale.a2,
              "company",
              { datasets: ["Adverse Media"], scoreLo: 75, scoreHi: 92, review: "Unreviewed" },
              createdMs,
            ),
          );
        } else if (chance(r, 0.3)) {
          const other = locale.company(pick(r, locale.coA).word, pick(r, locale.coB), pick(r, locale.forms));
          hits.push(
            amlHit(
              r,
              other,
              null,
              locale.a2,
              "company",
              {
                datasets: [pick(r, ["Sanctions", "Adverse Media"])],
                scoreLo: 30,
                scoreHi: 65,
                review: "False Positive",
              },
              createdMs,
            ),
          );
        }
        let top = 0;
        for (const h of hits) top = Math.max(top, (h as { match_score: number }).match_score);
        out[key]!.push({
          node_id: "feature_kyb_aml",
          status,
          entity_type: "company",
          screened_data: {
            company_name: id.companyName,
            registration_number: id.registrationNumber,
            country: locale.a3,
            key_people: people.map((k) => k.p.fullName),
          },
          total_hits: hits.length,
          score: top,
          hits,
          warnings,
        });
        break;
      }
      case "questionnaire": {
        const risky = isMode && mode === "high_risk";
        if (risky) warnings.push(warning("HIGH_RISK_ACTIVITY"));
        const volumes = ["< 10,000", "10,000 – 50,000", "50,000 – 250,000", "> 250,000"];
        out[key]!.push({
          node_id: "feature_kyb_questionnaire",
          status,
          questionnaire_id: uuid(r),
          title: "Business profile",
          language: "en",
          submitted_at: isoTime(createdMs + int(r, 5, 40) * 60_000),
          answers: [
            { question: "What is the company's main business activity?", answer: sector.description },
            {
              question: `Expected monthly transaction volume (${locale.currency})?`,
              answer: pick(r, volumes),
            },
            {
              question: "In which countries does the company operate?",
              answer: risky
                ? [locale.a2, "IR", "KP"]
                : chance(r, 0.5)
                  ? [locale.a2]
                  : [locale.a2, pick(r, LOCALES).a2],
            },
            {
              question: "Does the company hold or transfer crypto-assets on behalf of clients?",
              answer: risky ? "Yes" : "No",
            },
            {
              question: "What is the main source of funds?",
              answer: pick(r, ["Revenue from operations", "Shareholder capital", "Bank financing"]),
            },
          ],
          warnings,
        });
        break;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Public API

/** The summary alone (cheap: no payload), identical to `generateSession(...).summary`. */
export function generateSummary(seed: Seed, opts: GenerateOptions): SessionSummary {
  const s = normalizeSeed(seed);
  return opts.kind === "business" ? kybSummary(kybIdentity(s, opts)) : kycSummary(kycIdentity(s, opts));
}

export function generateSession(seed: Seed, opts: GenerateOptions): GeneratedSession {
  const s = normalizeSeed(seed);
  if (opts.kind === "business") {
    const id = kybIdentity(s, opts);
    return { summary: kybSummary(id), payload: buildKyb(id) };
  }
  const id = kycIdentity(s, opts);
  return { summary: kycSummary(id), payload: buildKyc(id) };
}
