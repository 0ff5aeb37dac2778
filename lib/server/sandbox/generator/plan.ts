import "server-only";

import type { KybFeatureKey, KycFeatureKeyRecipe, SessionStatus } from "@/lib/server/didit-wire";
import { chance, int, pick, type Rng } from "@/lib/server/sandbox/generator/random";

/**
 * The step plan: which checks a session has and with what status, drawn from the identity stream
 * so that the summary (features) and the payload agree.
 */

export type CheckStatus = "Approved" | "Declined" | "In Review" | "Not Finished";

export type KycStep = "id" | "liveness" | "face" | "aml" | "db" | "poa" | "ip" | "phone" | "email";
export type KybStep = "registry" | "documents" | "people" | "questionnaire" | "aml";

export const KYC_STEP_KEY: Record<KycStep, KycFeatureKeyRecipe> = {
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
export const KYB_STEP_KEY: Record<KybStep, KybFeatureKey> = {
  registry: "registry_checks",
  people: "key_people_checks",
  documents: "document_verifications",
  aml: "aml_screenings",
  questionnaire: "questionnaires",
};

/** The order a user goes through the flow (IP analysis happens on opening the link). */
export const KYC_FLOW: readonly KycStep[] = ["id", "liveness", "face", "aml", "db", "phone", "email", "poa"];
export const KYB_FLOW: readonly KybStep[] = ["registry", "documents", "people", "questionnaire", "aml"];

export type Outcome = "approved" | "declined" | "review" | "resubmit" | "kyc_expired" | "partial";

export type Progress<S extends string> = {
  /** Steps with a check in the payload, with that check's status. */
  checks: Map<S, CheckStatus>;
  outcome: Outcome;
  /** The failure or review reason, on the step that carries it. */
  mode: string | null;
  modeStep: S | null;
};

export function plan<S extends string>(
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

export function hasStep<S extends string, K extends string>(
  p: Progress<S>,
  key: K,
  map: Record<S, K>,
): boolean {
  for (const s of p.checks.keys()) if (map[s] === key) return true;
  return false;
}
