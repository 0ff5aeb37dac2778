import { clsx } from "clsx";
import { OctagonAlert } from "lucide-react";
import Link from "next/link";
import { DateTime } from "@/components/ui/date-time";
import {
  RECALL_CHANNEL_LABELS,
  RECALL_STATE_LABELS,
  RECALL_TRIGGER_LABELS,
  type ShareRecallDto,
} from "@/lib/schemas/recalls";

/** On a recalled share's page: the source changed after it was shared, and how the partner is told. */
export function ShareRecallBanner({ recall, className }: { recall: ShareRecallDto; className?: string }) {
  return (
    <section
      aria-label="Recall"
      className={clsx(
        "flex gap-3 rounded-lg border-2 border-red-300 bg-red-50 p-4 text-red-900",
        className ?? "mb-6",
      )}
    >
      <OctagonAlert className="mt-0.5 size-5 shrink-0" aria-hidden />
      <div className="min-w-0 space-y-1 text-sm">
        <h2 className="font-semibold">Recalled: {RECALL_TRIGGER_LABELS[recall.trigger]}</h2>
        <p>{recall.reason}</p>
        <p className="text-xs">
          Raised <DateTime value={recall.raisedAt} />.{" "}
          {recall.notice
            ? `The partner is told ${recall.notice.channel === "task" ? "by an officer" : `(${RECALL_CHANNEL_LABELS[recall.notice.channel].toLowerCase()})`}: ${RECALL_STATE_LABELS[recall.notice.state].toLowerCase()}.`
            : "The partner never received this share, so nobody needs telling."}{" "}
          <Link href="/recalls" className="font-medium underline">
            All recalls
          </Link>
        </p>
      </div>
    </section>
  );
}
