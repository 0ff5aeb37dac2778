import { Badge } from "@/components/ui/badge";
import type { ShareStateDto } from "@/lib/schemas/shares";
import { STATE_LABELS, STATE_TONES } from "./format";

/** The delivery state; a withdrawn share says so beside it (its token was delivered, then withdrawn). */
export function ShareStateBadge({ state, withdrawn = false }: { state: ShareStateDto; withdrawn?: boolean }) {
  const badge = <Badge tone={STATE_TONES[state]}>{STATE_LABELS[state]}</Badge>;
  if (!withdrawn) return badge;
  return (
    <span className="inline-flex flex-wrap items-center gap-1">
      {badge}
      <Badge tone="warning">Withdrawn</Badge>
    </span>
  );
}
