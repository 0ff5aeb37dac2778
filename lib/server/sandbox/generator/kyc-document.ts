import "server-only";

import type { KycCheck, KycContext } from "@/lib/server/sandbox/generator/kyc-context";
import { parsedAddress } from "@/lib/server/sandbox/generator/payload";
import type { CheckStatus } from "@/lib/server/sandbox/generator/plan";
import { ageAt, chance, fromPattern, isoDate, pick, score } from "@/lib/server/sandbox/generator/random";
import { warning, type Warning } from "@/lib/server/sandbox/generator/warnings";

// KYC checks of the person and the document: ID document, liveness, face match, database validation.

/** ID document (OCR): the document's data, its images and the expiry warnings. */
export function idDocument(c: KycContext, status: CheckStatus, isMode: boolean): KycCheck {
  const {
    r,
    id,
    p,
    issuing,
    progress,
    createdMs,
    media,
    mode,
    dobMs,
    dob,
    issueMs,
    expiryMs,
    home,
    docNumber,
    nationality,
  } = c;
  const warnings: Warning[] = [];
  if (isMode && mode === "document_expired") warnings.push(warning("DOCUMENT_EXPIRED"));
  if (progress.outcome === "kyc_expired") warnings.push(warning("KYC_DOCUMENT_EXPIRED"));
  if (status === "Approved" && chance(r, 0.2)) warnings.push(warning("QR_NOT_DETECTED"));
  const passport = id.docType === "Passport";
  return {
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
  };
}

/** Liveness: method and score; a presentation attack or low score when the mode says so. */
export function liveness(c: KycContext, status: CheckStatus, isMode: boolean): KycCheck {
  const { r, createdMs, media, mode, dobMs } = c;
  const warnings: Warning[] = [];
  const method = pick(r, ["ACTIVE_3D", "FLASHING", "PASSIVE"] as const);
  let s: number;
  if (isMode && mode === "presentation_attack") {
    s = score(r, 2, 25);
    warnings.push(warning("POSSIBLE_PRESENTATION_ATTACK"));
  } else if (isMode && mode === "low_liveness") {
    s = score(r, 20, 49);
    warnings.push(warning("LOW_LIVENESS_SCORE"));
  } else s = chance(r, 0.15) ? 100 : score(r, 82, 99.9);
  return {
    node_id: "feature_liveness",
    status,
    method,
    score: s,
    age_estimation: Math.round((ageAt(dobMs, createdMs) + (r() * 6 - 3)) * 10) / 10,
    reference_image: media("selfie"),
    video_frame: media("liveness"),
    warnings,
  };
}

/** Face match between the document portrait and the selfie. */
export function faceMatch(c: KycContext, status: CheckStatus, isMode: boolean): KycCheck {
  const { r, media, mode } = c;
  const warnings: Warning[] = [];
  let s: number;
  if (isMode && mode === "face_mismatch") {
    s = score(r, 8, 39);
    warnings.push(warning("LOW_FACE_MATCH_SIMILARITY"));
  } else if (isMode && mode === "face_borderline") {
    s = score(r, 50, 69);
    warnings.push(warning("FACE_MATCH_IN_REVIEW"));
  } else s = chance(r, 0.15) ? 100 : score(r, 80, 99.8);
  return {
    node_id: "feature_face_match",
    status,
    score: s,
    source_image: media("portrait"),
    target_image: media("selfie"),
    warnings,
  };
}

/** Database validation against the issuing country's records. */
export function databaseValidation(c: KycContext, status: CheckStatus, isMode: boolean): KycCheck {
  const { p, issuing, mode, dob, docNumber } = c;
  const warnings: Warning[] = [];
  const failed = isMode && mode === "db_no_match";
  if (failed) warnings.push(warning("DATABASE_NO_MATCH"));
  const result = failed ? "NO_MATCH" : "FULL_MATCH";
  return {
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
  };
}
