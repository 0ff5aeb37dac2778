"use client";

import { useSyncExternalStore } from "react";
import { formatDateTime, formatRelative, localTimeZone } from "@/lib/format";

const noSubscription = () => () => {};

/**
 * A moment in the reader's time zone (`1 Dec 2026, 09:14 CET`). The server renders UTC and the
 * browser switches to its own zone right after hydration, without a hydration mismatch.
 */
export function DateTime({
  value,
  withRelative = false,
  className,
}: {
  value: string | Date;
  /** Adds "(5 minutes ago)" after the time. */
  withRelative?: boolean;
  className?: string;
}) {
  const timeZone = useSyncExternalStore(noSubscription, localTimeZone, () => "UTC");
  // "5 minutes ago" depends on the clock, so it is left to the browser.
  const hydrated = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return <span className={className}>—</span>;
  return (
    <time dateTime={d.toISOString()} title={d.toISOString()} className={className}>
      {formatDateTime(d, timeZone)}
      {withRelative && hydrated && <span className="text-slate-600"> ({formatRelative(d)})</span>}
    </time>
  );
}
