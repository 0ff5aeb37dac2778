import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/client/api-fetch";
import type {
  ApplicationDto,
  ApplicationListResponse,
  ApplicationSyncDto,
  CreateApplicationRequest,
  UpdateApplicationRequest,
} from "@/lib/schemas/applications";

export const applicationKeys = {
  all: ["applications"] as const,
  list: () => ["applications", "list"] as const,
  options: () => ["applications", "options"] as const,
};

/** A backfill or a first setup is under way: the list is polled until it settles. */
export function applicationBusy(a: ApplicationDto): boolean {
  return (
    a.sync.state === "queued" ||
    a.sync.state === "running" ||
    (a.webhook.state === "pending" && !a.apiKeyError) ||
    (a.apiKeyCheckedAt === null && !a.apiKeyError)
  );
}

/** The admin's list (with key and webhook state), polled every 2 s while something runs. */
export function useApplications() {
  return useQuery({
    queryKey: applicationKeys.list(),
    queryFn: () => apiFetch<{ items: ApplicationDto[] }>("/api/applications"),
    refetchInterval: (query) => (query.state.data?.items.some(applicationBusy) ? 2000 : false),
  });
}

/**
 * Our connected applications as every role reads them (summaries; an admin gets the full records):
 * the partner form's "for application" choice, the filters, the import dialog's workflow names.
 */
export function useApplicationOptions() {
  return useQuery({
    queryKey: applicationKeys.options(),
    queryFn: () => apiFetch<ApplicationListResponse>("/api/applications"),
    staleTime: 60_000,
  });
}

const path = (id: string) => `/api/applications/${encodeURIComponent(id)}`;

export function useCreateApplication() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateApplicationRequest) =>
      apiFetch<ApplicationDto>("/api/applications", { method: "POST", json: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: applicationKeys.all }),
  });
}

export function useUpdateApplication() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...input }: UpdateApplicationRequest & { id: string }) =>
      apiFetch<ApplicationDto>(path(id), { method: "PATCH", json: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: applicationKeys.all }),
  });
}

export function useDeleteApplication() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id }: { id: string }) => apiFetch<void>(path(id), { method: "DELETE" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: applicationKeys.all }),
  });
}

export function useSyncApplication() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, full }: { id: string; full?: boolean }) =>
      apiFetch<{ id: string; sync: ApplicationSyncDto }>(`${path(id)}/sync`, {
        method: "POST",
        json: full ? { full: true } : {},
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: applicationKeys.all }),
  });
}

export function useRegisterWebhook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id }: { id: string }) =>
      apiFetch<ApplicationDto>(`${path(id)}/webhook`, { method: "POST", json: {} }),
    onSuccess: () => qc.invalidateQueries({ queryKey: applicationKeys.all }),
  });
}
