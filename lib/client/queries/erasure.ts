import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/client/api-fetch";
import type { CreateErasureRequest, ErasureListResponse, ErasureRequestDto } from "@/lib/schemas/erasure";

export const erasureKeys = {
  all: ["erasure"] as const,
  list: () => ["erasure", "list"] as const,
};

export const ERASURE_PAGE_SIZE = 25;

/** The erasure requests, newest first, a page at a time. */
export function useErasureRequests() {
  return useInfiniteQuery({
    queryKey: erasureKeys.list(),
    queryFn: ({ pageParam, signal }) => {
      const params = new URLSearchParams({ limit: String(ERASURE_PAGE_SIZE) });
      if (pageParam) params.set("cursor", pageParam);
      return apiFetch<ErasureListResponse>(`/api/erasure?${params.toString()}`, { signal });
    },
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** Runs one erasure to its end (the answer is the finished request). */
export function useCreateErasure() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateErasureRequest) =>
      apiFetch<ErasureRequestDto>("/api/erasure", { method: "POST", json: input }),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: erasureKeys.all });
      void qc.invalidateQueries({ queryKey: ["sessions"] });
    },
  });
}
