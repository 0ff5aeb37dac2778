"use client";

import { useCallback, useRef, useState } from "react";

/**
 * One run at a time for an irreversible action (share, import, decide, reveal, revoke, erase).
 * The first click takes the lock synchronously, in a ref: a second click 30 ms later, before React
 * has re-rendered the button as pending, finds it taken. `busy` is the same lock as state, for
 * the button's `pending`. The action calls `release` when it settles (a mutation's `onSettled`).
 */
export function useSingleFlight() {
  const lock = useRef(false);
  const [busy, setBusy] = useState(false);
  const run = useCallback((start: (release: () => void) => void) => {
    if (lock.current) return;
    lock.current = true;
    setBusy(true);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      lock.current = false;
      setBusy(false);
    };
    try {
      start(release);
    } catch (error) {
      release();
      throw error;
    }
  }, []);
  return { run, busy } as const;
}
