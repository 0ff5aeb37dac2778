import "server-only";
import type { AnalyticsExportQuery, AnalyticsPartnerDto, AnalyticsResponse } from "@/lib/schemas/analytics";
import type { ServiceContext } from "@/lib/server/kernel";
import { auditMeta, csvCell, recordAudit } from "@/lib/server/services/audit";
import { getAnalytics } from "./analytics";

/** The analytics as CSV: one row per partner for the period and filters asked. */

export const ANALYTICS_EXPORT_COLUMNS = [
  "period_from",
  "period_to",
  "partner_id",
  "partner_name",
  "application_id",
  "application_name",
  "shared",
  "shared_imported",
  "shared_import_rate",
  "shared_expired_undelivered",
  "shared_latency_p50_seconds",
  "shared_latency_p90_seconds",
  "received",
  "imported",
  "import_rate",
  "received_expired",
  "received_latency_p50_seconds",
  "received_latency_p90_seconds",
  "trust_review",
  "trust_review_of",
  "override_declined",
  "override_approved_imports",
  "override_rate",
  "recalls_sent",
  "recalls_received",
  "received_unverified",
  "received_invalid",
] as const;

function exportLine(period: AnalyticsResponse["period"], p: AnalyticsPartnerDto): string {
  const values: unknown[] = [
    period.from,
    period.to,
    p.partnerId,
    p.partnerName,
    p.applicationId,
    p.applicationName,
    p.shared,
    p.sharedImported,
    p.sharedImportRate,
    p.sharedExpiredUndelivered,
    p.sharedLatency.p50Seconds,
    p.sharedLatency.p90Seconds,
    p.received,
    p.imported,
    p.importRate,
    p.receivedExpired,
    p.receivedLatency.p50Seconds,
    p.receivedLatency.p90Seconds,
    p.trustReview.count,
    p.trustReview.of,
    p.override.declined,
    p.override.approvedImports,
    p.override.rate,
    p.recallsSent,
    p.recallsReceived,
    p.receivedUnverified,
    p.receivedInvalid,
  ];
  return `${values.map(csvCell).join(",")}\r\n`;
}

export type AnalyticsExport = { body: string; filename: string; contentType: string };

/**
 * `GET /api/analytics/export?format=csv`: one row per partner (RFC 4180, cells a spreadsheet
 * would run as a formula quoted), audited as `analytics.exported` with the filters.
 */
export async function exportAnalytics(
  ctx: ServiceContext,
  query: AnalyticsExportQuery,
): Promise<AnalyticsExport> {
  const { format, ...filters } = query;
  const data = await getAnalytics(ctx, filters);
  await ctx.db.transaction(async (tx) => {
    await recordAudit(tx, auditMeta(ctx), {
      action: "analytics.exported",
      entityType: "analytics",
      data: {
        format,
        from: data.period.from,
        to: data.period.to,
        applicationId: filters.applicationId ?? null,
        partnerId: filters.partnerId ?? null,
        partners: data.partners.length,
      },
    });
  });
  const body =
    `${ANALYTICS_EXPORT_COLUMNS.map(csvCell).join(",")}\r\n` +
    data.partners.map((p) => exportLine(data.period, p)).join("");
  return {
    body,
    filename: `analytics-${data.period.from}-to-${data.period.to}.csv`,
    contentType: "text/csv; charset=utf-8",
  };
}
