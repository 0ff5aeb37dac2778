import { useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/client/api-fetch";
import type { LineageGraphDto, LineageSearchResponse } from "@/lib/schemas/lineage";

export const lineageKeys = {
  all: ["lineage"] as const,
  graph: (ref: string, applicationId?: string) => ["lineage", "graph", ref, applicationId ?? null] as const,
};

export function lineagePath(ref: string, applicationId?: string): string {
  const qs = applicationId ? `?applicationId=${encodeURIComponent(applicationId)}` : "";
  return `/api/lineage/${encodeURIComponent(ref)}${qs}`;
}

export function useLineage(ref: string, applicationId?: string) {
  return useQuery({
    queryKey: lineageKeys.graph(ref, applicationId),
    queryFn: () => apiFetch<LineageGraphDto>(lineagePath(ref, applicationId)),
    retry: false,
  });
}

/** The search box: sessions matching a uuid, number or vendor_data. */
export function searchLineage(q: string): Promise<LineageSearchResponse> {
  return apiFetch<LineageSearchResponse>(`/api/lineage?q=${encodeURIComponent(q)}`);
}
