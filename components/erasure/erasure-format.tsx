import { Badge } from "@/components/ui/badge";
import type { ErasureDiditOutcome, ErasureStateDto } from "@/lib/schemas/erasure";

const STATE = {
  running: { label: "Running", tone: "info" },
  done: { label: "Erased", tone: "success" },
  failed: { label: "Failed at Didit", tone: "danger" },
} as const;

export function ErasureStateBadge({ state }: { state: ErasureStateDto }) {
  const { label, tone } = STATE[state];
  return <Badge tone={tone}>{label}</Badge>;
}

const OUTCOME = {
  deleted: { label: "Deleted at Didit", tone: "success" },
  not_found: { label: "Already gone at Didit", tone: "success" },
  skipped: { label: "Kept at Didit", tone: "neutral" },
  failed: { label: "Not deleted at Didit", tone: "danger" },
} as const;

export function DiditOutcomeBadge({ outcome }: { outcome: ErasureDiditOutcome | null }) {
  if (!outcome) return <Badge>Pending</Badge>;
  const { label, tone } = OUTCOME[outcome];
  return <Badge tone={tone}>{label}</Badge>;
}

const COUNT_LABELS: Record<string, [string, string]> = {
  sessionMirror: ["mirrored session", "mirrored sessions"],
  inboxItems: ["inbox item", "inbox items"],
  sharesRevoked: ["share revoked", "shares revoked"],
  shareTokensDestroyed: ["share token destroyed", "share tokens destroyed"],
};

/** "1 mirrored session, 1 inbox item, 1 share revoked" (zero counts left out). */
export function countsSummary(counts: Record<string, number>): string {
  const parts = Object.entries(COUNT_LABELS)
    .filter(([key]) => (counts[key] ?? 0) > 0)
    .map(([key, [one, many]]) => `${counts[key]} ${counts[key] === 1 ? one : many}`);
  return parts.length > 0 ? parts.join(", ") : "Nothing left to remove";
}
