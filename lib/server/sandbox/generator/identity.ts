import "server-only";

import {
  KYB_FEATURE_KEYS,
  KYC_FEATURE_KEYS_RECIPE,
  type KybFeatureKey,
  type KycFeatureKeyRecipe,
  type SessionKind,
  type SessionStatus,
} from "@/lib/server/didit-wire";
import type { DocType, NamePart } from "@/lib/server/sandbox/generator/locale-def";
import { LOCALES, type Locale } from "@/lib/server/sandbox/generator/locales";
import {
  hasStep,
  KYB_FLOW,
  KYB_STEP_KEY,
  KYC_FLOW,
  KYC_STEP_KEY,
  plan,
  type KybStep,
  type KycStep,
  type Progress,
} from "@/lib/server/sandbox/generator/plan";
import {
  chance,
  fromPattern,
  mix32,
  mulberry32,
  pick,
  type Rng,
} from "@/lib/server/sandbox/generator/random";
import type { SessionSummary } from "@/lib/server/sandbox/types";

/**
 * The identity phase: the person or company of a seed, the checks its session has and the summary
 * they give. Drawn from the identity stream alone, so `generateSummary` never builds a payload.
 */

export type GenerateOptions = {
  kind: SessionKind;
  status: SessionStatus;
  createdAt: Date;
  /** KYB: exactly this many key people (1–50) instead of the seed's one to four. */
  keyPeopleCount?: number;
};

export const MAX_KEY_PEOPLE = 50;

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

export type Person = {
  locale: Locale;
  gender: "M" | "F";
  first: NamePart;
  last: NamePart;
  fullName: string;
  latinName: string;
};

export function person(r: Rng, locale: Locale): Person {
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

export type KycIdentity = {
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

export function kycIdentity(seed: number, opts: GenerateOptions): KycIdentity {
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

export function kycSummary(id: KycIdentity): SessionSummary {
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

export type KybIdentity = {
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

export function kybIdentity(seed: number, opts: GenerateOptions): KybIdentity {
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

export function kybSummary(id: KybIdentity): SessionSummary {
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
