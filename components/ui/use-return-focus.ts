"use client";

import { useState } from "react";

/**
 * Focus back to the element that opened a dialog once it closes (Esc, Close, Cancel). Radix does
 * that only for its own Trigger; our dialogs are mostly opened by state, and without this focus
 * fell to the page body. The opener is the element focused when the content mounted (the button
 * clicked). A caller's own `onCloseAutoFocus` that calls preventDefault keeps the choice.
 */
export function useReturnFocus(onCloseAutoFocus?: (event: Event) => void) {
  const [opener] = useState(() =>
    typeof document === "undefined" ? null : (document.activeElement as HTMLElement | null),
  );
  return (event: Event) => {
    onCloseAutoFocus?.(event);
    if (event.defaultPrevented) return;
    if (opener && opener !== document.body && opener.isConnected) {
      event.preventDefault();
      opener.focus();
    }
  };
}
