"use client";

import { parseAsInteger, parseAsString, parseAsStringLiteral, useQueryStates } from "nuqs";
import { useEffect, useRef } from "react";

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

type WizardUrl = {
  share: WizardStep | null;
  sharePartner: string | null;
  shareTtl: number | null;
  shareId: string | null;
};

/** What the address bar says now, read with the same parsers. */
function fromAddressBar(): WizardUrl {
  const p = new URLSearchParams(window.location.search);
  const read = <T>(key: keyof WizardUrl, parse: (v: string) => T | null): T | null => {
    const v = p.get(key);
    return v === null ? null : parse(v);
  };
  return {
    share: read("share", (v) => shareWizardParsers.share.parse(v)),
    sharePartner: read("sharePartner", (v) => shareWizardParsers.sharePartner.parse(v)),
    shareTtl: read("shareTtl", (v) => shareWizardParsers.shareTtl.parse(v)),
    shareId: read("shareId", (v) => shareWizardParsers.shareId.parse(v)),
  };
}

export function useShareWizardUrl() {
  const [values, setValues] = useQueryStates(shareWizardParsers, { history: "push" });
  const latest = useRef(values);
  useEffect(() => {
    latest.current = values;
  }, [values]);
  // After a reload, Back to an entry the page before the reload pushed can leave the router's
  // search params behind the address bar: on popstate, align with the address (replace: history
  // is unchanged), so the step shown is always the step in the URL.
  useEffect(() => {
    let timer: number | undefined;
    const sync = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        const actual = fromAddressBar();
        const now = latest.current;
        const differs = (Object.keys(actual) as (keyof WizardUrl)[]).some((k) => actual[k] !== now[k]);
        if (differs) void setValues(actual, { history: "replace" });
      }, 300);
    };
    window.addEventListener("popstate", sync);
    return () => {
      window.removeEventListener("popstate", sync);
      window.clearTimeout(timer);
    };
  }, [setValues]);
  return [values, setValues] as const;
}

export const CLOSED_WIZARD = { share: null, sharePartner: null, shareTtl: null, shareId: null } as const;
