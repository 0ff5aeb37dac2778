"use client";

import { DateTime } from "@/components/ui/date-time";
import type { ShareStateDto } from "@/lib/schemas/shares";
import { useClock } from "./clock";
import { formatCountdown } from "./format";

/** A pending share counts down to its expiry; any other shows the moment it expires. */
export function ExpiresCell({ state, expiresAt }: { state: ShareStateDto; expiresAt: string }) {
  if (state !== "pending") return <DateTime value={expiresAt} className="whitespace-nowrap text-slate-600" />;
  return <Countdown expiresAt={expiresAt} />;
}

function Countdown({ expiresAt }: { expiresAt: string }) {
  const now = useClock();
  return (
    <time dateTime={expiresAt} title={expiresAt} className="whitespace-nowrap tabular-nums">
      {now ? formatCountdown(expiresAt, now) : <DateTime value={expiresAt} />}
    </time>
  );
}
