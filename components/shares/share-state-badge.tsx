import { Badge } from "@/components/ui/badge";
import type { ShareStateDto } from "@/lib/schemas/shares";
import { STATE_LABELS, STATE_TONES } from "./format";

export function ShareStateBadge({ state }: { state: ShareStateDto }) {
  return <Badge tone={STATE_TONES[state]}>{STATE_LABELS[state]}</Badge>;
}
