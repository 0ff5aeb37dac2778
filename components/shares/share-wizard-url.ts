"use client";

import { parseAsInteger, parseAsString, parseAsStringLiteral, useQueryStates } from "nuqs";

export const WIZARD_STEPS = ["partner", "lifetime", "summary", "result"] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

/**
 * The share wizard's place lives in the URL, beside the drawer's `session`: each step is a history
 * entry, so the browser's Back goes one step back, Forward forward again, and a reload (or a
 * shared link) opens the same step with the same choices. `share` is the step (absent: closed).
 */
export const shareWizardParsers = {
  share: parseAsStringLiteral(WIZARD_STEPS),
  sharePartner: parseAsString,
  shareTtl: parseAsInteger,
  /** The share made, on the result step. */
  shareId: parseAsString,
};

export function useShareWizardUrl() {
  return useQueryStates(shareWizardParsers, { history: "push" });
}

export const CLOSED_WIZARD = { share: null, sharePartner: null, shareTtl: null, shareId: null } as const;
