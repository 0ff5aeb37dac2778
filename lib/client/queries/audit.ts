import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/client/api-fetch";
import type { AuditEventDto } from "@/lib/schemas/audit";

export type AuditFilters = {
  actor?: string;
  action?: string;
  entityType?: string;
  entityId?: string;
  from?: string;
  to?: string;
};

export type AuditCheckpoint = {
  verifiedThroughSeq: number;
  full: boolean;
  ok: boolean;
  checked: number;
  firstBadSeq: number | null;
  failureReason: string | null;
  durationMs: number;
  verifiedAt: string;
  verifiedBy: { id: string; email: string; name: string } | null;
};

export type ChainVerification = {
  mode: "incremental" | "full";
  startedAfterSeq: number;
  durationMs: number;
} & (
  | { ok: true; checked: number; lastSeq: number | null; lastHash: string | null }
  | { ok: false; checked: number; firstBad: { seq: number; id: string; reason: string }; message: string }
);

/** GET /api/audit/verify: the newest checkpoint and a read-only walk of the rows after it. */
export type ChainState = ChainVerification & { checkpoint: AuditCheckpoint | null; headSeq: number };

export const auditKeys = {
  all: ["audit"] as const,
  list: (filters: AuditFilters) => ["audit", "list", filters] as const,
  verify: () => ["audit", "verify"] as const,
};

function toQuery(filters: AuditFilters, cursor?: string): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  if (cursor) params.set("cursor", cursor);
  params.set("limit", "50");
  return params.toString();
}

export function useAuditEvents(filters: AuditFilters) {
  return useInfiniteQuery({
    queryKey: auditKeys.list(filters),
    queryFn: ({ pageParam }) =>
      apiFetch<{ items: AuditEventDto[]; nextCursor: string | null }>(
        `/api/audit?${toQuery(filters, pageParam)}`,
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useAuditChain() {
  return useQuery({ queryKey: auditKeys.verify(), queryFn: () => apiFetch<ChainState>("/api/audit/verify") });
}

/** A verification that is remembered (a checkpoint) and audited; the state is fetched again after. */
export function useVerifyAuditChain() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (mode: "incremental" | "full") =>
      apiFetch<ChainVerification>("/api/audit/verify", { method: "POST", json: { mode } }),
    onSettled: () => qc.invalidateQueries({ queryKey: auditKeys.all }),
  });
}

/** The export's URL for the current filters (a download: the browser streams it to a file). */
export function auditExportUrl(filters: AuditFilters, format: "csv" | "jsonl"): string {
  const params = new URLSearchParams({ format });
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  return `/api/audit/export?${params.toString()}`;
}
