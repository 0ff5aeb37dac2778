import "server-only";

import type { KycCheck, KycContext } from "@/lib/server/sandbox/generator/kyc-context";
import { parsedAddress } from "@/lib/server/sandbox/generator/payload";
import type { CheckStatus } from "@/lib/server/sandbox/generator/plan";
import { chance, DAY, fromPattern, int, isoDate, pick } from "@/lib/server/sandbox/generator/random";
import { warning, type Warning } from "@/lib/server/sandbox/generator/warnings";

// KYC contact checks: phone, e-mail, proof of address.

/** Phone verification in the issuing country's format. */
export function phoneVerification(c: KycContext, status: CheckStatus, _isMode: boolean): KycCheck {
  const { r, issuing, at } = c;
  const warnings: Warning[] = [];
  const national = fromPattern(r, issuing.phonePattern);
  return {
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
  };
}

/**
 * E-mail verification: a handle from the Latin name, sometimes breached, disposable when the mode
 * says so.
 */
export function emailVerification(c: KycContext, status: CheckStatus, isMode: boolean): KycCheck {
  const { r, p, createdMs, mode, at } = c;
  const warnings: Warning[] = [];
  const disposable = isMode && mode === "disposable_email";
  if (disposable) warnings.push(warning("DISPOSABLE_EMAIL"));
  const handle = `${p.first.l}.${p.last.l}`.toLowerCase().replace(/[^a-z0-9.]+/g, "-");
  const domain = disposable ? "tempinbox.example" : pick(r, ["example.com", "example.org", "example.net"]);
  const breached = !disposable && chance(r, 0.25);
  return {
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
  };
}

/** Proof of address: the home address on a utility bill, statement or letter. */
export function proofOfAddress(c: KycContext, status: CheckStatus, isMode: boolean): KycCheck {
  const { r, p, issuing, createdMs, media, mode, home } = c;
  const warnings: Warning[] = [];
  const mismatch = isMode && mode === "poa_name_mismatch";
  if (mismatch) warnings.push(warning("POA_NAME_MISMATCH"));
  const docTypeChoice = pick(r, [
    "UTILITY_BILL",
    "BANK_STATEMENT",
    "TAX_DOCUMENT",
    "GOVERNMENT_LETTER",
  ] as const);
  return {
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
  };
}
