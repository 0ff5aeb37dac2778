"use client";

import { useSyncExternalStore } from "react";

// One ticking clock for every countdown on the page, running only while one is shown.
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;
let now = Date.now();

function subscribe(listener: () => void) {
  listeners.add(listener);
  if (!timer) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, 1_000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/** The current time, updated every second; null while server-rendering (the countdown is the browser's). */
export function useClock(): Date | null {
  const ms = useSyncExternalStore(
    subscribe,
    () => now,
    () => null,
  );
  return ms === null ? null : new Date(ms);
}
