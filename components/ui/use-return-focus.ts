"use client";

import { useRef } from "react";

/**
 * Focus back to the element that opened a dialog once it closes (Esc, Close, Cancel). Radix does
 * that only for its own Trigger; our dialogs are mostly opened by state, and without this focus
 * fell to the page body. The opener is the element focused as the content opens (the button
 * clicked). A caller's own `onCloseAutoFocus` that calls preventDefault keeps the choice.
 */
export function useReturnFocus(handlers: {
  onOpenAutoFocus?: (event: Event) => void;
  onCloseAutoFocus?: (event: Event) => void;
}) {
  const opener = useRef<HTMLElement | null>(null);
  return {
    onOpenAutoFocus: (event: Event) => {
      opener.current = document.activeElement as HTMLElement | null;
      handlers.onOpenAutoFocus?.(event);
    },
    onCloseAutoFocus: (event: Event) => {
      handlers.onCloseAutoFocus?.(event);
      const el = opener.current;
      opener.current = null;
      if (event.defaultPrevented) return;
      if (el && el !== document.body && el.isConnected) {
        event.preventDefault();
        el.focus();
      }
    },
  };
}
