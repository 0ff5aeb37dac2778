import "server-only";

import type { KybCheck, KybContext } from "@/lib/server/sandbox/generator/kyb-context";
import { LOCALES } from "@/lib/server/sandbox/generator/locales";
import { parsedAddress } from "@/lib/server/sandbox/generator/payload";
import type { CheckStatus } from "@/lib/server/sandbox/generator/plan";
import {
  chance,
  DAY,
  fromPattern,
  int,
  isoDate,
  isoTime,
  pick,
  uuid,
} from "@/lib/server/sandbox/generator/random";
import { warning, type Warning } from "@/lib/server/sandbox/generator/warnings";

// KYB checks of the company: registry, documents, questionnaire.

/** Registry check: the company as the register lists it; dissolved when the mode says so. */
export function registryCheck(c: KybContext, status: CheckStatus, isMode: boolean): KybCheck[] {
  const { r, id, locale, createdMs, media, mode, registered, incorporationMs, sector, people } = c;
  const warnings: Warning[] = [];
  const dissolved = isMode && mode === "company_dissolved";
  if (dissolved) warnings.push(warning("COMPANY_NOT_ACTIVE"));
  const [lo, hi] = locale.shareCapital;
  return [
    {
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
    },
  ];
}

/**
 * Corporate documents: incorporation and articles always, proof of address and shareholder register
 * sometimes; one wrong or outdated when the mode says so.
 */
export function documentChecks(c: KybContext, status: CheckStatus, isMode: boolean): KybCheck[] {
  const { r, id, locale, createdMs, media, mode, registered, incorporationMs } = c;
  const checks: KybCheck[] = [];
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
      t === "PROOF_OF_ADDRESS" ? createdMs - int(r, 5, 80) * DAY : incorporationMs + int(r, 0, 30) * DAY;
    if (isMode && mode === "doc_mismatch" && t === "CERTIFICATE_OF_INCORPORATION") {
      s = status;
      regNo = fromPattern(r, locale.regPattern);
      w.push(warning("DOCUMENT_DATA_MISMATCH"));
    } else if (isMode && mode === "poa_outdated" && t === "PROOF_OF_ADDRESS") {
      s = status;
      issued = createdMs - int(r, 120, 400) * DAY;
      w.push(warning("PROOF_OF_ADDRESS_OUTDATED"));
    }
    checks.push({
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
  return checks;
}

/** Business questionnaire: activity, volume, countries, crypto-assets and source of funds. */
export function questionnaire(c: KybContext, status: CheckStatus, isMode: boolean): KybCheck[] {
  const { r, locale, createdMs, mode, sector } = c;
  const warnings: Warning[] = [];
  const risky = isMode && mode === "high_risk";
  if (risky) warnings.push(warning("HIGH_RISK_ACTIVITY"));
  const volumes = ["< 10,000", "10,000 – 50,000", "50,000 – 250,000", "> 250,000"];
  return [
    {
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
    },
  ];
}
