import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/client/api-fetch";
import type { AnalyticsBucket, AnalyticsResponse } from "@/lib/schemas/analytics";

/** What the API is asked: the period (UTC days, both included) and the filters; all optional. */
export type AnalyticsFilters = {
  from?: string;
  to?: string;
  bucket?: AnalyticsBucket;
  applicationId?: string;
  partnerId?: string;
};

export const analyticsKeys = {
  all: ["analytics"] as const,
  report: (filters: AnalyticsFilters) => ["analytics", "report", filters] as const,
};

export function analyticsQueryString(filters: AnalyticsFilters): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  return params.toString();
}

/** The CSV download of the same figures (a plain link: the browser saves the attachment). */
export function analyticsExportHref(filters: AnalyticsFilters): string {
  const qs = analyticsQueryString(filters);
  return `/api/analytics/export?format=csv${qs ? `&${qs}` : ""}`;
}

export function useAnalytics(filters: AnalyticsFilters) {
  return useQuery({
    queryKey: analyticsKeys.report(filters),
    queryFn: () => {
      const qs = analyticsQueryString(filters);
      return apiFetch<AnalyticsResponse>(`/api/analytics${qs ? `?${qs}` : ""}`);
    },
    // Changing a filter keeps the previous figures on screen until the new ones arrive.
    placeholderData: keepPreviousData,
    retry: false,
  });
}
