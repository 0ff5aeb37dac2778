"use client";

import { useClock } from "@/components/shares/clock";
import { Badge } from "@/components/ui/badge";
import { DateTime } from "@/components/ui/date-time";
import { Tooltip, TooltipContent, TooltipTrigger } from "@/components/ui/tooltip";
import { formatRelative } from "@/lib/format";
import type { ImportListItemDto } from "@/lib/schemas/reviews";
import { slaText } from "./format";

/** "3 hours ago", with the absolute moment in a tooltip (and in the `<time>` for readers). */
export function Age({ value }: { value: string | null }) {
  const now = useClock();
  if (!value) return <span className="text-slate-600">—</span>;
  return (
    <Tooltip>
      <TooltipTrigger asChild>
        <time
          dateTime={value}
          tabIndex={0}
          className="whitespace-nowrap rounded focus-visible:outline-2 focus-visible:outline-brand-500"
        >
          {now ? formatRelative(value, now) : <DateTime value={value} />}
        </time>
      </TooltipTrigger>
      <TooltipContent>
        <DateTime value={value} />
      </TooltipContent>
    </Tooltip>
  );
}

/** When the review is due by the partner's SLA, or how long it is overdue. */
export function SlaCell({
  item,
}: {
  item: Pick<ImportListItemDto, "dueAt" | "overdue" | "reviewSlaHours" | "status">;
}) {
  const now = useClock();
  if (item.status !== "In Review") return <span className="text-slate-600">—</span>;
  return (
    <span className="inline-flex flex-wrap items-center gap-1.5 whitespace-nowrap">
      {item.overdue && <Badge tone="danger">Overdue</Badge>}
      <span className={item.overdue ? "text-red-700" : "text-slate-700"}>
        {now ? slaText(item.dueAt, now) : item.dueAt ? <DateTime value={item.dueAt} /> : "—"}
      </span>
      <span className="sr-only"> (SLA {item.reviewSlaHours} h)</span>
    </span>
  );
}
