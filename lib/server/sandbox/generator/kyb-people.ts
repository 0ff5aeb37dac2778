import "server-only";

import type { SessionStatus } from "@/lib/server/didit-wire";
import type { KybCheck, KybContext } from "@/lib/server/sandbox/generator/kyb-context";
import { amlHit } from "@/lib/server/sandbox/generator/payload";
import type { CheckStatus } from "@/lib/server/sandbox/generator/plan";
import { chance, DAY, int, isoTime, pick, uuid } from "@/lib/server/sandbox/generator/random";
import { warning, type Warning } from "@/lib/server/sandbox/generator/warnings";

// KYB checks of the people behind the company: key people (with their KYC) and AML screening.

/**
 * Key people: one check per person with the state of their own KYC; one flagged person carries the
 * session's failure or review.
 */
export function keyPeopleChecks(c: KybContext, status: CheckStatus, isMode: boolean): KybCheck[] {
  const { r, progress, createdMs, mode, people, flagged } = c;
  const checks: KybCheck[] = [];
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
    checks.push({
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
  return checks;
}

/**
 * AML screening of the company and its key people: a sanctioned key person or adverse media when the
 * mode says so, else sometimes a similarly named company below the threshold.
 */
export function amlScreening(c: KybContext, status: CheckStatus, isMode: boolean): KybCheck[] {
  const { r, id, locale, createdMs, mode, people, flagged } = c;
  const warnings: Warning[] = [];
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
  return [
    {
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
    },
  ];
}
