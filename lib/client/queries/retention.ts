import { useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/lib/client/api-fetch";
import { applicationKeys } from "@/lib/client/queries/applications";
import type { ApplicationDto, RetentionRunDto, SetRetentionRequest } from "@/lib/schemas/applications";

const path = (id: string) => `/api/applications/${encodeURIComponent(id)}/retention`;

/** Sets an application's retention period (days, or null to keep). */
export function useSetRetention() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, days }: SetRetentionRequest & { id: string }) =>
      apiFetch<ApplicationDto>(path(id), { method: "PUT", json: { days } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: applicationKeys.all }),
  });
}

/** "Run now": enforces the period for one application and answers the counts. */
export function useRunRetention() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id }: { id: string }) => apiFetch<RetentionRunDto>(`${path(id)}/run`, { method: "POST" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: applicationKeys.all }),
  });
}
