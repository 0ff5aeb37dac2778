import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/client/api-fetch";
import type { ApplicationSummaryDto } from "@/lib/schemas/applications";
import type { SessionDetailDto, SessionListKindDto, SessionListResponse } from "@/lib/schemas/sessions";

/** The picker's filters as they stand in the URL; `finished` defaults to on. */
export type SessionFilters = {
  applicationId?: string;
  kind?: SessionListKindDto;
  status?: string;
  finished?: boolean;
  q?: string;
};

export const sessionKeys = {
  all: ["sessions"] as const,
  list: (filters: SessionFilters) => ["sessions", "list", filters] as const,
  detail: (id: string) => ["sessions", "detail", id] as const,
};

export const SESSION_PAGE_SIZE = 50;

function toQuery(filters: SessionFilters, cursor?: string): string {
  const params = new URLSearchParams();
  if (filters.applicationId) params.set("applicationId", filters.applicationId);
  if (filters.kind && filters.kind !== "all") params.set("kind", filters.kind);
  if (filters.status) params.set("status", filters.status);
  params.set("finished", filters.finished === false ? "false" : "true");
  if (filters.q) params.set("q", filters.q);
  if (cursor) params.set("cursor", cursor);
  params.set("limit", String(SESSION_PAGE_SIZE));
  return params.toString();
}

export function useSessions(filters: SessionFilters) {
  return useInfiniteQuery({
    queryKey: sessionKeys.list(filters),
    queryFn: ({ pageParam, signal }) =>
      apiFetch<SessionListResponse>(`/api/sessions?${toQuery(filters, pageParam)}`, { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // While a new search runs, the previous rows stay (no flash of skeletons as you type).
    placeholderData: keepPreviousData,
  });
}

export function useSessionDetail(id: string | null) {
  return useQuery({
    queryKey: sessionKeys.detail(id ?? ""),
    queryFn: ({ signal }) =>
      apiFetch<SessionDetailDto>(`/api/sessions/${encodeURIComponent(id!)}`, { signal }),
    enabled: id !== null,
    retry: false,
  });
}

/** The applications (every role's summary), polled every 3 s while one of them is syncing. */
export function useSyncStatus() {
  return useQuery({
    queryKey: ["sessions", "applications"] as const,
    queryFn: ({ signal }) => apiFetch<{ items: ApplicationSummaryDto[] }>("/api/applications", { signal }),
    refetchInterval: (query) =>
      query.state.data?.items.some((a) => a.sync.state === "queued" || a.sync.state === "running")
        ? 3000
        : false,
  });
}
