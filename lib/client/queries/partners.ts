import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/client/api-fetch";
import { toOptions } from "@/lib/client/queries/options";
import type {
  AgreementState,
  CreatePartnerRequest,
  CreatePartnerResponse,
  PartnerDetailDto,
  PartnerDto,
  PartnerListResponse,
  PartnerStatus,
  RotatePartnerSecretResponse,
  UpdatePartnerRequest,
} from "@/lib/schemas/partners";

export type PartnerFilters = {
  status?: PartnerStatus;
  applicationId?: string;
  q?: string;
  expiring?: boolean;
  agreementState?: AgreementState;
};

/** Everything under ["partners"], so one invalidation also refreshes the share wizard's lists. */
export const partnerKeys = {
  all: ["partners"] as const,
  list: (filters: PartnerFilters) => ["partners", "list", filters] as const,
  detail: (id: string) => ["partners", "detail", id] as const,
  options: () => ["partners", "options"] as const,
};

function toQuery(filters: PartnerFilters): string {
  const params = new URLSearchParams();
  if (filters.status) params.set("status", filters.status);
  if (filters.applicationId) params.set("applicationId", filters.applicationId);
  if (filters.q) params.set("q", filters.q);
  if (filters.expiring) params.set("expiring", "true");
  if (filters.agreementState) params.set("agreementState", filters.agreementState);
  params.set("limit", "200");
  return params.toString();
}

export function usePartners(filters: PartnerFilters) {
  return useQuery({
    queryKey: partnerKeys.list(filters),
    queryFn: () => apiFetch<PartnerListResponse>(`/api/partners?${toQuery(filters)}`),
    placeholderData: keepPreviousData,
  });
}

/** One partner's full record; `enabled: false` waits (the share wizard reads it for push partners only). */
export function usePartner(id: string, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: partnerKeys.detail(id),
    queryFn: () => apiFetch<PartnerDetailDto>(`/api/partners/${encodeURIComponent(id)}`),
    enabled,
  });
}

/**
 * The partners as filter options (`{ value: id, label: name }`) for the shares, reviews, analytics
 * and inbox filters: one cache entry under `partnerKeys.all`, so a directory change refreshes them.
 * A list that cannot be read leaves its filter out (no retry).
 */
export function usePartnerOptions() {
  return useQuery({
    queryKey: partnerKeys.options(),
    queryFn: () => apiFetch<PartnerListResponse>("/api/partners"),
    select: (data) => toOptions(data.items),
    staleTime: 60_000,
    retry: false,
  });
}

export function useCreatePartner() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: CreatePartnerRequest) =>
      apiFetch<CreatePartnerResponse>("/api/partners", { method: "POST", json: input, cache: "no-store" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: partnerKeys.all }),
  });
}

export function useUpdatePartner(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdatePartnerRequest) =>
      apiFetch<PartnerDto>(`/api/partners/${encodeURIComponent(id)}`, { method: "PATCH", json: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: partnerKeys.all }),
  });
}

export function useRotatePartnerSecret(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { overlapHours: number; secret?: string }) =>
      apiFetch<RotatePartnerSecretResponse>(`/api/partners/${encodeURIComponent(id)}/secret`, {
        method: "POST",
        json: input,
        cache: "no-store",
      }),
    // The secret lives only in this mutation's result: not kept in the cache once unused.
    gcTime: 0,
    onSettled: () => qc.invalidateQueries({ queryKey: partnerKeys.all }),
  });
}
