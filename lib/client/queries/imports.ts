import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/client/api-fetch";
import { idempotencyHeader } from "@/lib/client/idempotency-key";
import type { CreateImportRequest, ImportDto } from "@/lib/schemas/imports";
import type {
  AssignRequest,
  DecisionRequest,
  DecisionResponse,
  ImportDetailDto,
  ImportListItemDto,
  ImportListResponse,
  RejectProposalRequest,
  UserRefDto,
} from "@/lib/schemas/reviews";

/** The /reviews filters as they stand in the URL (all optional; `status` defaults to In Review). */
export type ReviewFilters = {
  partnerId?: string;
  applicationId?: string;
  kind?: "user" | "business";
  assignee?: string;
  overdue?: "true";
  /** Recalled by the partner and not decided again. */
  recalled?: "true";
  q?: string;
};

/** The queue is the In Review imports: the status every list request carries. */
export const QUEUE_STATUS = "In Review";

export const importKeys = {
  all: ["imports"] as const,
  lists: () => ["imports", "list"] as const,
  list: (filters: ReviewFilters) => ["imports", "list", filters] as const,
  detail: (id: string) => ["imports", "detail", id] as const,
  reviewers: () => ["imports", "reviewers"] as const,
};

/** The inbox's queries start with this key: an import changes the item it came from. */
const INBOX_KEY_PREFIX = ["inbox"] as const;

/** How often the queue is read again (statuses move with Didit's webhooks). */
export const QUEUE_REFETCH_MS = 30_000;
/** How often a review page reads its import again while a decision waits for Didit's confirmation. */
export const CONFIRMATION_POLL_MS = 3_000;

function toQuery(filters: ReviewFilters, cursor?: string): string {
  const params = new URLSearchParams();
  params.set("status", QUEUE_STATUS);
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  params.set("sort", "queue");
  if (cursor) params.set("cursor", cursor);
  params.set("limit", "50");
  return params.toString();
}

/** How many recalled imports wait for a new decision (the queue's alert; counted up to 100). */
export function useRecalledCount() {
  return useQuery({
    queryKey: [...importKeys.lists(), "recalled-count"] as const,
    queryFn: async () =>
      (
        await apiFetch<ImportListResponse>(
          `/api/imports?status=${encodeURIComponent(QUEUE_STATUS)}&recalled=true&limit=100`,
        )
      ).items.length,
    refetchInterval: QUEUE_REFETCH_MS,
  });
}

export function useReviewQueue(filters: ReviewFilters) {
  return useInfiniteQuery({
    queryKey: importKeys.list(filters),
    queryFn: ({ pageParam }) => apiFetch<ImportListResponse>(`/api/imports?${toQuery(filters, pageParam)}`),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: QUEUE_REFETCH_MS,
  });
}

/** A decision went to Didit and its webhook has not confirmed it yet. */
export function awaitingDidit(item: Pick<ImportListItemDto, "awaitingConfirmation"> | undefined): boolean {
  return Boolean(item?.awaitingConfirmation);
}

export function useImportDetail(id: string, initial?: ImportDetailDto) {
  return useQuery({
    queryKey: importKeys.detail(id),
    initialData: initial,
    queryFn: () => apiFetch<ImportDetailDto>(`/api/imports/${encodeURIComponent(id)}`),
    // While a decision is sent and unconfirmed, or the import itself is still running, read it again.
    refetchInterval: (query) =>
      awaitingDidit(query.state.data) || query.state.data?.state === "importing"
        ? CONFIRMATION_POLL_MS
        : false,
    retry: (count, error) =>
      count < 2 && !("status" in error && (error.status === 404 || error.status === 403)),
  });
}

/**
 * Imports an inbox item's token (once): 201 with the import. `onImported` runs even when the
 * dialog that started it is gone (the refreshed item no longer offers Import, so its card drops it).
 */
export function useCreateImport(itemId: string, onImported?: (result: ImportDto) => void) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ idempotencyKey, ...input }: CreateImportRequest & { idempotencyKey?: string }) =>
      apiFetch<ImportDto>(`/api/inbox/${encodeURIComponent(itemId)}/import`, {
        method: "POST",
        json: input,
        headers: idempotencyHeader(idempotencyKey),
      }),
    onSuccess: (result) => onImported?.(result),
    onSettled: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: INBOX_KEY_PREFIX }),
        qc.invalidateQueries({ queryKey: importKeys.all }),
      ]),
  });
}

function useImportMutation<TInput, TResult>(id: string, path: string) {
  const qc = useQueryClient();
  return useMutation({
    /** `idempotencyKey` is sent as the header (honoured by the decision route). */
    mutationFn: ({ idempotencyKey, ...input }: TInput & { idempotencyKey?: string }) =>
      apiFetch<TResult>(`/api/imports/${encodeURIComponent(id)}${path}`, {
        method: "POST",
        json: input,
        headers: idempotencyHeader(idempotencyKey),
      }),
    onSettled: () => qc.invalidateQueries({ queryKey: importKeys.all }),
  });
}

/** The active officers a review can be (re)assigned to, by name; read when the picker opens. */
export function useReviewers(enabled: boolean) {
  return useQuery({
    queryKey: importKeys.reviewers(),
    queryFn: () => apiFetch<{ items: UserRefDto[] }>("/api/imports/reviewers"),
    enabled,
    staleTime: 60_000,
  });
}

export function useAssignImport(id: string) {
  return useImportMutation<AssignRequest, ImportListItemDto>(id, "/assign");
}

/** Approve or Decline: 200 when sent to Didit, 202 when it is a four-eyes proposal. */
export function useDecideImport(id: string) {
  return useImportMutation<DecisionRequest, DecisionResponse>(id, "/decision");
}

/** A second officer rejects the open proposal (or its proposer withdraws it). */
export function useRejectProposal(id: string) {
  return useImportMutation<RejectProposalRequest, DecisionResponse>(id, "/decision/reject");
}
