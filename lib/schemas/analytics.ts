import { z } from "zod";
import { optionalFilter } from "./common";

export const ANALYTICS_BUCKETS = ["day", "week", "month"] as const;
export type AnalyticsBucket = (typeof ANALYTICS_BUCKETS)[number];

/** Without `from`/`to`: the last 90 days, today (UTC) included. */
export const ANALYTICS_DEFAULT_DAYS = 90;
/** The longest period one request may span. */
export const ANALYTICS_MAX_YEARS = 3;
/** Years a date may carry: PostgreSQL would take far more, but no record of ours is outside these. */
export const ANALYTICS_MIN_YEAR = 2000;
export const ANALYTICS_MAX_YEAR = 2999;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date `YYYY-MM-DD` (a UTC day), years 2000–2999; 2026-02-30 is refused. */
export function isCalendarDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < ANALYTICS_MIN_YEAR || y > ANALYTICS_MAX_YEAR) return false;
  const check = new Date(Date.UTC(y, mo - 1, d));
  return check.getUTCFullYear() === y && check.getUTCMonth() === mo - 1 && check.getUTCDate() === d;
}

const calendarDate = () =>
  z
    .string()
    .trim()
    .refine(isCalendarDate, `Use a date like 2026-11-30 (years ${ANALYTICS_MIN_YEAR}–${ANALYTICS_MAX_YEAR})`);

/** `GET /api/analytics`: the period (UTC days, both ends included), the series bucket, the filters. */
export const analyticsQuerySchema = z.object({
  from: optionalFilter(calendarDate()),
  to: optionalFilter(calendarDate()),
  bucket: optionalFilter(z.enum(ANALYTICS_BUCKETS, { message: "Choose day, week or month" })),
  applicationId: optionalFilter(z.uuid({ message: "Not an application id" })),
  partnerId: optionalFilter(z.uuid({ message: "Not a partner id" })),
});
export type AnalyticsQuery = z.infer<typeof analyticsQuerySchema>;

export const analyticsExportQuerySchema = analyticsQuerySchema.extend({
  format: z.enum(["csv"], { message: "Choose csv" }),
});
export type AnalyticsExportQuery = z.infer<typeof analyticsExportQuerySchema>;

/** Median and 90th percentile in seconds; null when nothing was measured. */
export type LatencyDto = { p50Seconds: number | null; p90Seconds: number | null };

/** The figures of one partner, or of all of them (totals). Rates are null when their denominator is 0. */
export type AnalyticsFiguresDto = {
  /** Tokens we shared to the partner (shares created in the period). */
  shared: number;
  /** Of those, the partner's receipt says imported. */
  sharedImported: number;
  sharedImportRate: number | null;
  /** Of those, expired without ever being delivered, picked up or revealed. */
  sharedExpiredUndelivered: number;
  /** Receipt `imported` minus the token's issue time. */
  sharedLatency: LatencyDto;
  /**
   * Tokens received from the partner (inbox items received in the period) that are verifiably its:
   * Didit accepted them on import, or they are our own shares handed over internally. Only these
   * count in the received figures below (imports, rates, expiry, latencies).
   */
  received: number;
  /** Of those, imported here. */
  imported: number;
  importRate: number | null;
  /** Of those, expired before they were imported (or refused). */
  receivedExpired: number;
  /** Import finished minus the token's `iat` (else the time it arrived). */
  receivedLatency: LatencyDto;
  /**
   * Tokens whose claims name the partner but that Didit has not verified (waiting, rejected, expired
   * or failed before Didit accepted them): not counted as the partner's anywhere else.
   */
  receivedUnverified: number;
  /** Tokens naming the partner that Didit refused as invalid (malformed or not signed by Didit). */
  receivedInvalid: number;
  /** Imports that kept the partner's decision (trust_review), of the imports. */
  trustReview: { count: number; of: number; rate: number | null };
  /** Imports the partner had shared as Approved that our reviewers declined. */
  override: { declined: number; approvedImports: number; rate: number | null };
  /** Recall notices we sent to the partner, and recalls it sent us. */
  recallsSent: number;
  recallsReceived: number;
};

export type AnalyticsPartnerDto = AnalyticsFiguresDto & {
  partnerId: string;
  partnerName: string;
  applicationId: string;
  applicationName: string;
};

export type AnalyticsSeriesPointDto = {
  /** The bucket's first day (a Monday for weeks, the 1st for months). */
  bucket: string;
  shared: number;
  received: number;
  imported: number;
  overrides: number;
  recalls: number;
};

export type AnalyticsResponse = {
  period: { from: string; to: string; bucket: AnalyticsBucket; days: number };
  partners: AnalyticsPartnerDto[];
  totals: AnalyticsFiguresDto;
  series: AnalyticsSeriesPointDto[];
};
