import "server-only";

/** The warnings a check carries, as Didit words them (risk code, log level, descriptions). */

export type Warning = {
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

export function warning(risk: keyof typeof WARNINGS): Warning {
  const [log_type, short_description, long_description] = WARNINGS[risk] as [
    Warning["log_type"],
    string,
    string,
  ];
  return { risk, additional_data: null, log_type, short_description, long_description };
}

/** A check the user has not finished: no data, at most a resubmission warning. */
export const notFinished = (nodeId: string) => ({
  node_id: nodeId,
  status: "Not Finished",
  warnings: [] as Warning[],
});
