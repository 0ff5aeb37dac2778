import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/client/api-fetch";
import type {
  InboundRecallDto,
  RecallDoneRequest,
  RecallListResponse,
  RecallNoticeDto,
} from "@/lib/schemas/recalls";

export const recallKeys = {
  all: ["recalls"] as const,
  list: (side: "sent" | "received", state: string | null) => ["recalls", "list", side, state] as const,
};

/** How often the lists are read again (pushes are retried in the background). */
export const RECALLS_REFETCH_MS = 15_000;

function listPath(side: "sent" | "received", state: string | null, cursor?: string) {
  const params = new URLSearchParams({ side, limit: "50" });
  if (state) params.set("state", state);
  if (cursor) params.set("cursor", cursor);
  return `/api/recalls?${params.toString()}`;
}

export function useSentRecalls(state: string | null) {
  return useInfiniteQuery({
    queryKey: recallKeys.list("sent", state),
    queryFn: async ({ pageParam }) => {
      const page = await apiFetch<RecallListResponse>(listPath("sent", state, pageParam));
      return { items: page.items as RecallNoticeDto[], nextCursor: page.nextCursor };
    },
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: RECALLS_REFETCH_MS,
  });
}

export function useReceivedRecalls(state: string | null) {
  return useInfiniteQuery({
    queryKey: recallKeys.list("received", state),
    queryFn: async ({ pageParam }) => {
      const page = await apiFetch<RecallListResponse>(listPath("received", state, pageParam));
      return { items: page.items as InboundRecallDto[], nextCursor: page.nextCursor };
    },
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: RECALLS_REFETCH_MS,
  });
}

export function useMarkNoticeDone(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: RecallDoneRequest) =>
      apiFetch<RecallNoticeDto>(`/api/recalls/notices/${id}/done`, { method: "POST", json: body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: recallKeys.all }),
  });
}

export function useRetryNotice(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => apiFetch<RecallNoticeDto>(`/api/recalls/notices/${id}/retry`, { method: "POST" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: recallKeys.all }),
  });
}
