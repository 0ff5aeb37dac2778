import "server-only";

import { KYB_FEATURE_KEYS } from "@/lib/server/didit-wire";
import type { KybIdentity } from "@/lib/server/sandbox/generator/identity";
import { documentChecks, questionnaire, registryCheck } from "@/lib/server/sandbox/generator/kyb-company";
import { kybContext, type KybCheckBuilder } from "@/lib/server/sandbox/generator/kyb-context";
import { amlScreening, keyPeopleChecks } from "@/lib/server/sandbox/generator/kyb-people";
import { KYB_STEP_KEY, type KybStep } from "@/lib/server/sandbox/generator/plan";
import { notFinished, warning } from "@/lib/server/sandbox/generator/warnings";

/** The payload phase of a KYB session: one builder per feature. */

const CHECKS: Record<KybStep, KybCheckBuilder> = {
  registry: registryCheck,
  documents: documentChecks,
  people: keyPeopleChecks,
  questionnaire,
  aml: amlScreening,
};

/** The checks in the order the plan lists them; the shared facts are drawn first. */
export function buildKyb(id: KybIdentity): Record<string, unknown> {
  const c = kybContext(id);
  const { progress } = id;
  const out: Record<string, unknown[]> = {};
  for (const key of KYB_FEATURE_KEYS) out[key] = [];

  for (const [step, status] of progress.checks) {
    const key = KYB_STEP_KEY[step];
    const isMode = progress.modeStep === step;
    if (status === "Not Finished") {
      const nf = notFinished(`feature_kyb_${step}`);
      if (isMode && progress.outcome === "resubmit") nf.warnings.push(warning("RESUBMISSION_REQUESTED"));
      out[key]!.push(nf);
      continue;
    }
    out[key]!.push(...CHECKS[step](c, status, isMode));
  }
  return out;
}
