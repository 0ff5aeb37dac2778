import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/client/api-fetch";
import type {
  InboxItemDetailDto,
  InboxListResponse,
  InboxSourceDto,
  InboxStateDto,
  PasteTokenRequest,
  RejectInboxItemRequest,
} from "@/lib/schemas/inbox";

/** The /inbox filters, as they stand in the URL (all optional). */
export type InboxFilters = {
  state?: InboxStateDto;
  source?: InboxSourceDto;
  partnerId?: string;
  q?: string;
};

export const inboxKeys = {
  all: ["inbox"] as const,
  list: (filters: InboxFilters) => ["inbox", "list", filters] as const,
  detail: (id: string) => ["inbox", "detail", id] as const,
};

/** How often a list with a waiting token is read again (new arrivals, expiries). */
const LIVE_REFETCH_MS = 15_000;

function toQuery(filters: InboxFilters, cursor?: string): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  if (cursor) params.set("cursor", cursor);
  params.set("limit", "20");
  return params.toString();
}

export function useInbox(filters: InboxFilters) {
  return useInfiniteQuery({
    queryKey: inboxKeys.list(filters),
    queryFn: ({ pageParam }) => apiFetch<InboxListResponse>(`/api/inbox?${toQuery(filters, pageParam)}`),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: (query) =>
      query.state.data?.pages.some((p) =>
        p.items.some((i) => i.state === "pending" || i.state === "importing"),
      )
        ? LIVE_REFETCH_MS
        : false,
  });
}

/** One item with its claims, partner and the receipts sent back for it (read when its details open). */
export function useInboxItem(id: string, enabled: boolean) {
  return useQuery({
    queryKey: inboxKeys.detail(id),
    queryFn: () => apiFetch<InboxItemDetailDto>(`/api/inbox/${encodeURIComponent(id)}`),
    enabled,
    refetchInterval: (query) =>
      query.state.data?.receipts.some((r) => r.state === "pending") ? LIVE_REFETCH_MS : false,
  });
}

/** Pasting sends the token once; it is not kept in any cache (`gcTime: 0`). */
export function usePasteToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: PasteTokenRequest) =>
      apiFetch<InboxItemDetailDto>("/api/inbox", { method: "POST", json: input, cache: "no-store" }),
    gcTime: 0,
    onSuccess: () => qc.invalidateQueries({ queryKey: inboxKeys.all }),
  });
}

export function useRejectInboxItem(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: RejectInboxItemRequest) =>
      apiFetch<InboxItemDetailDto>(`/api/inbox/${encodeURIComponent(id)}/reject`, {
        method: "POST",
        json: input,
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: inboxKeys.all }),
  });
}
