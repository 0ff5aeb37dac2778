import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/client/api-fetch";
import { idempotencyHeader } from "@/lib/client/idempotency-key";
import type { EligiblePartnersResponse } from "@/lib/schemas/partners";
import type {
  CreateShareRequest,
  RevealShareResponse,
  RevokeShareRequest,
  ShareChannelDto,
  ShareDetailDto,
  ShareDto,
  ShareListResponse,
  ShareStateDto,
  WithdrawShareRequest,
} from "@/lib/schemas/shares";

/** The /shares filters, as they stand in the URL (all optional). */
export type ShareFilters = {
  state?: ShareStateDto;
  partnerId?: string;
  applicationId?: string;
  sessionId?: string;
  channel?: ShareChannelDto;
  q?: string;
};

export const shareKeys = {
  all: ["shares"] as const,
  lists: () => ["shares", "list"] as const,
  list: (filters: ShareFilters) => ["shares", "list", filters] as const,
  detail: (id: string) => ["shares", "detail", id] as const,
};

/** Every query about sessions (the picker's list and drawer) starts with this key. */
const SESSION_KEY_PREFIX = ["sessions"] as const;

/** How often a list or share with a pending delivery is read again. */
export const LIVE_REFETCH_MS = 5_000;

function toQuery(filters: ShareFilters, cursor?: string): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  if (cursor) params.set("cursor", cursor);
  params.set("limit", "50");
  return params.toString();
}

export function useShares(filters: ShareFilters) {
  return useInfiniteQuery({
    queryKey: shareKeys.list(filters),
    queryFn: ({ pageParam }) => apiFetch<ShareListResponse>(`/api/shares?${toQuery(filters, pageParam)}`),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // Live states: while a visible share is still on its way, read the list again.
    refetchInterval: (query) =>
      query.state.data?.pages.some((p) => p.items.some((s) => s.state === "pending"))
        ? LIVE_REFETCH_MS
        : false,
  });
}

export function useShare(id: string) {
  return useQuery({
    queryKey: shareKeys.detail(id),
    queryFn: () => apiFetch<ShareDetailDto>(`/api/shares/${encodeURIComponent(id)}`),
    refetchInterval: (query) => (query.state.data?.state === "pending" ? LIVE_REFETCH_MS : false),
  });
}

export function useCreateShare() {
  const qc = useQueryClient();
  return useMutation({
    /** `idempotencyKey`: one per confirmation (see lib/client/idempotency-key.ts). */
    mutationFn: ({ idempotencyKey, ...input }: CreateShareRequest & { idempotencyKey?: string }) =>
      apiFetch<ShareDto>("/api/shares", {
        method: "POST",
        json: input,
        headers: idempotencyHeader(idempotencyKey),
      }),
    onSuccess: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: shareKeys.all }),
        qc.invalidateQueries({ queryKey: SESSION_KEY_PREFIX }),
      ]),
  });
}

export function useRevokeShare(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: RevokeShareRequest) =>
      apiFetch<ShareDto>(`/api/shares/${encodeURIComponent(id)}/revoke`, { method: "POST", json: input }),
    onSuccess: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: shareKeys.all }),
        qc.invalidateQueries({ queryKey: SESSION_KEY_PREFIX }),
      ]),
  });
}

/** Withdraw a delivered share: answers the share as it is now (its withdrawal and recall). */
export function useWithdrawShare(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: WithdrawShareRequest) =>
      apiFetch<ShareDetailDto>(`/api/shares/${encodeURIComponent(id)}/withdraw`, {
        method: "POST",
        json: input,
      }),
    onSuccess: (share) => {
      qc.setQueryData(shareKeys.detail(id), share);
      return Promise.all([
        qc.invalidateQueries({ queryKey: shareKeys.all }),
        // The sister brand's inbox on this console shows the item withdrawn.
        qc.invalidateQueries({ queryKey: ["inbox"] }),
      ]);
    },
  });
}

/**
 * The manual channel's one-time reveal. Not a query on purpose: the token must never sit in the
 * query cache. `gcTime: 0` drops the mutation (and its result) as soon as no component uses it.
 */
export function useRevealShare(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () =>
      apiFetch<RevealShareResponse>(`/api/shares/${encodeURIComponent(id)}/reveal`, {
        method: "POST",
        json: {},
        cache: "no-store",
      }),
    gcTime: 0,
    onSettled: () => qc.invalidateQueries({ queryKey: shareKeys.all }),
  });
}

export function useEligiblePartners(sessionId: string, enabled: boolean) {
  return useQuery({
    queryKey: ["partners", "eligible", sessionId] as const,
    queryFn: () =>
      apiFetch<EligiblePartnersResponse>(`/api/partners?eligibleFor=${encodeURIComponent(sessionId)}`),
    enabled,
    // Eligibility follows the directory, which partnership managers change: read it fresh on each open.
    staleTime: 0,
  });
}
