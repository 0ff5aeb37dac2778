"use client";

import {
  ArrowDownToLine,
  CheckCheck,
  CircleSlash,
  History,
  Inbox,
  OctagonAlert,
  RefreshCw,
  Send,
  Share2,
  ThumbsUp,
  TriangleAlert,
  Undo2,
  UserCheck,
  type LucideIcon,
} from "lucide-react";
import { Sentence } from "@/components/audit/sentence";
import { Card } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import type { TimelineEntryDto, TimelineEventKind } from "@/lib/schemas/reviews";

const ICONS: Record<TimelineEventKind, LucideIcon> = {
  shared: Share2,
  delivered: Inbox,
  imported: ArrowDownToLine,
  assigned: UserCheck,
  proposed: ThumbsUp,
  proposal_rejected: CircleSlash,
  proposal_withdrawn: Undo2,
  decided: Send,
  confirmed: CheckCheck,
  decision_failed: TriangleAlert,
  status_changed: RefreshCw,
  recalled: OctagonAlert,
  recall_cleared: CheckCheck,
};

/** The clone's history, oldest first: shared, delivered, imported, assigned, proposed, decided… */
export function Timeline({ entries }: { entries: TimelineEntryDto[] }) {
  return (
    <Card
      aria-label="Timeline"
      title={
        <>
          <History aria-hidden /> Timeline
        </>
      }
    >
      {entries.length === 0 ? (
        <p className="text-sm text-slate-600">Nothing recorded yet.</p>
      ) : (
        <ol aria-label="Timeline" className="relative space-y-3 border-l border-slate-200 pl-5">
          {entries.map((e, i) => {
            const Icon = ICONS[e.kind] ?? History;
            return (
              <li key={`${e.kind}-${e.at}-${i}`} className="relative text-sm">
                <span className="absolute -left-[1.95rem] top-0 flex size-6 items-center justify-center rounded-full border border-slate-200 bg-white">
                  <Icon className="size-3.5 text-slate-600" aria-hidden />
                </span>
                <p className="text-slate-900">
                  <Sentence parts={e.sentence} />
                </p>
                <p className="text-xs text-slate-600">
                  <DateTime value={e.at} />
                </p>
              </li>
            );
          })}
        </ol>
      )}
    </Card>
  );
}
