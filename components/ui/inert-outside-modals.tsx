"use client";

import { useEffect } from "react";

const HIDDEN = "data-aria-hidden";

/**
 * While a Radix modal (dialog, alert dialog, select, menu) is open, Radix marks everything outside
 * it aria-hidden; this also makes that content `inert`, so nothing hidden from screen readers can
 * still take keyboard focus (axe: aria-hidden-focus). Radix's own marker attribute tells us which.
 */
export function InertOutsideModals() {
  useEffect(() => {
    const sync = (el: Element) => {
      if (!(el instanceof HTMLElement)) return;
      const hidden = el.getAttribute(HIDDEN) === "true" && el.getAttribute("aria-hidden") === "true";
      if (hidden !== el.inert) el.inert = hidden;
    };
    const observer = new MutationObserver((records) => {
      for (const r of records) sync(r.target as Element);
    });
    observer.observe(document.body, {
      subtree: true,
      attributes: true,
      attributeFilter: [HIDDEN, "aria-hidden"],
    });
    return () => observer.disconnect();
  }, []);
  return null;
}
