import "server-only";

import { KYC_FEATURE_KEYS_RECIPE } from "@/lib/server/didit-wire";
import type { KycIdentity } from "@/lib/server/sandbox/generator/identity";
import {
  emailVerification,
  phoneVerification,
  proofOfAddress,
} from "@/lib/server/sandbox/generator/kyc-contact";
import { kycContext, type KycCheckBuilder } from "@/lib/server/sandbox/generator/kyc-context";
import {
  databaseValidation,
  faceMatch,
  idDocument,
  liveness,
} from "@/lib/server/sandbox/generator/kyc-document";
import { amlScreening, ipAnalysis } from "@/lib/server/sandbox/generator/kyc-screening";
import { KYC_STEP_KEY, type KycStep } from "@/lib/server/sandbox/generator/plan";
import { notFinished, warning } from "@/lib/server/sandbox/generator/warnings";

/** The payload phase of a KYC session: one builder per feature. */

const CHECKS: Record<KycStep, KycCheckBuilder> = {
  id: idDocument,
  liveness,
  face: faceMatch,
  aml: amlScreening,
  db: databaseValidation,
  poa: proofOfAddress,
  ip: ipAnalysis,
  phone: phoneVerification,
  email: emailVerification,
};

/** The checks in the order the plan lists them; the shared facts are drawn first. */
export function buildKyc(id: KycIdentity): Record<string, unknown> {
  const c = kycContext(id);
  const { progress } = id;
  const out: Record<string, unknown[]> = {};
  for (const key of KYC_FEATURE_KEYS_RECIPE) out[key] = [];

  for (const [step, status] of progress.checks) {
    const key = KYC_STEP_KEY[step];
    const isMode = progress.modeStep === step;
    if (status === "Not Finished") {
      const nf = notFinished(`feature_${step}`);
      if (isMode && progress.outcome === "resubmit") nf.warnings.push(warning("RESUBMISSION_REQUESTED"));
      out[key]!.push(nf);
      continue;
    }
    out[key]!.push(CHECKS[step](c, status, isMode));
  }
  return out;
}
