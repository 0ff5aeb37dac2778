import "server-only";
import { sql, type SQL } from "drizzle-orm";
import {
  ANALYTICS_DEFAULT_DAYS,
  ANALYTICS_MAX_YEARS,
  analyticsExportQuerySchema,
  analyticsQuerySchema,
  type AnalyticsBucket,
  type AnalyticsExportQuery,
  type AnalyticsFiguresDto,
  type AnalyticsPartnerDto,
  type AnalyticsQuery,
  type AnalyticsResponse,
  type AnalyticsSeriesPointDto,
} from "@/lib/schemas/analytics";
import { rowsOf, type Db } from "@/lib/server/db/types";
import { AppError, type ServiceContext, assertCan } from "@/lib/server/kernel";
import { refuseNul, zodDetails } from "@/lib/server/http/input";

/**
 * Partner trust analytics (`GET /api/analytics`, the /analytics page, the CSV export): per partner
 * and period, what we shared to it and how it fared, what it sent us and what our reviewers made of
 * it. Every figure is an SQL aggregate (a few grouped queries, totals by grouping sets).
 *
 * Each figure follows its token from the day it started: our shares by `created_at`, received
 * tokens by the inbox item's `received_at` (their import, latency, expiry and review counted with
 * that arrival, so a period's import rate is never above 1), recall notices by their creation and
 * inbound recalls by their arrival. Days are UTC; `from` and `to` are both included.
 */

const DAY_MS = 86_400_000;

export type AnalyticsPeriod = {
  from: string;
  to: string;
  bucket: AnalyticsBucket;
  days: number;
  /** The first instant of `from` and the first instant after `to`. */
  start: Date;
  end: Date;
};

const dayOf = (d: Date) => d.toISOString().slice(0, 10);
const utcDay = (s: string) => new Date(`${s}T00:00:00.000Z`);

function badRequest(fields: Record<string, string[]>): AppError {
  return new AppError("bad_request", "The period or a filter is invalid.", { fields });
}

/** The query string (already read by the route) as analytics filters; anything invalid → 400. */
export function parseAnalyticsQuery(record: Record<string, string>): AnalyticsQuery {
  return parseWith(analyticsQuerySchema, record);
}

export function parseAnalyticsExportQuery(record: Record<string, string>): AnalyticsExportQuery {
  return parseWith(analyticsExportQuerySchema, record);
}

function parseWith<T>(
  schema: typeof analyticsQuerySchema | typeof analyticsExportQuerySchema,
  record: Record<string, string>,
): T {
  refuseNul(record);
  const parsed = schema.safeParse(record);
  if (!parsed.success) {
    throw new AppError("bad_request", "The period or a filter is invalid.", zodDetails(parsed.error));
  }
  return parsed.data as T;
}

/** The period asked for, or the last 90 days up to today (UTC); reversed or longer than 3 years → 400. */
export function resolveAnalyticsPeriod(query: AnalyticsQuery, now: Date): AnalyticsPeriod {
  const to = query.to ?? dayOf(now);
  const from = query.from ?? dayOf(new Date(utcDay(to).getTime() - (ANALYTICS_DEFAULT_DAYS - 1) * DAY_MS));
  const start = utcDay(from);
  const last = utcDay(to);
  if (start > last) throw badRequest({ from: ["From must not be after To"] });
  const earliest = new Date(last);
  earliest.setUTCFullYear(earliest.getUTCFullYear() - ANALYTICS_MAX_YEARS);
  if (start < earliest) {
    throw badRequest({ from: [`The period may span at most ${ANALYTICS_MAX_YEARS} years`] });
  }
  const end = new Date(last.getTime() + DAY_MS);
  return {
    from,
    to,
    bucket: query.bucket ?? "week",
    days: Math.round((end.getTime() - start.getTime()) / DAY_MS),
    start,
    end,
  };
}

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/** The partners in scope (the application and partner filters), with their application's name. */
function partnersInScope(query: AnalyticsQuery): SQL {
  const where: SQL[] = [sql`true`];
  if (query.applicationId) where.push(sql`pa.application_id = ${query.applicationId}::uuid`);
  if (query.partnerId) where.push(sql`pa.id = ${query.partnerId}::uuid`);
  return sql`select pa.id, pa.name, pa.application_id, ca.name as application_name
    from partners pa join connected_applications ca on ca.id = pa.application_id
    where ${sql.join(where, sql` and `)}`;
}

/**
 * The received tokens of the period with their import and the decision the partner shared: the
 * inbox item's manifest status, the claims' if they carry one, else (a sister brand) our share's.
 * A token is the partner's (`verified`) only once Didit accepted it on import, or when it is our own
 * share handed over internally (Didit gave it to this console); the rest are counted apart.
 */
function receivedRows(period: AnalyticsPeriod): SQL {
  return sql`select i.id, i.partner_id, i.state as item_state, i.expires_at, i.received_at, i.claims -> 'iat' as iat,
      m.state as import_state, m.trust_review, m.finished_at,
      (i.state <> 'invalid' and (m.state = 'imported' or i.local_share_id is not null)) is true as verified,
      -- Our own share is read only when the token carries no status (coalesce stops at the first).
      coalesce(i.manifest ->> 'status', i.claims ->> 'status',
        (select ls.source_status from shares ls where ls.id = i.local_share_id)) as source_status,
      -- One hashed pass over the decisions, not a lookup per token.
      coalesce(m.id in (
        select d.import_id from import_decisions d
        where d.status = 'Declined' and d.state in ('sent', 'confirmed')
      ), false) as declined
    from inbox_items i
    join p on p.id = i.partner_id
    left join imports m on m.inbox_item_id = i.id
    where i.received_at >= ${ts(period.start)} and i.received_at < ${ts(period.end)}`;
}

const IMPORTED = sql`r.import_state = 'imported'`;
const VERIFIED = sql`r.verified`;
const INVALID = sql`r.item_state = 'invalid'`;
/** An import of a token the partner shared as Approved that our reviewers declined. */
const OVERRIDDEN = sql`(${IMPORTED} and r.source_status = 'Approved' and r.declined)`;
/** Expired before it was imported or refused. */
function expiredUnimported(now: Date): SQL {
  return sql`(r.import_state is distinct from 'imported'
    and r.item_state not in ('imported', 'rejected', 'importing', 'withdrawn')
    and (r.item_state = 'expired' or r.expires_at <= ${ts(now)}))`;
}
/** Seconds from the token's issue (`iat`, else its arrival) to the finished import. */
const RECEIVED_LATENCY = sql`extract(epoch from r.finished_at - coalesce(
  case when jsonb_typeof(r.iat) = 'number' then to_timestamp(r.iat::numeric::float8) end,
  r.received_at))::float8`;
const SHARED_LATENCY = sql`extract(epoch from s.receipt_at - s.issued_at)::float8`;
const SHARED_MEASURED = sql`s.receipt_status = 'imported' and s.receipt_at is not null`;
const RECEIVED_MEASURED = sql`${IMPORTED} and r.finished_at is not null`;

type FigureRow = {
  k: string;
  partner_name: string | null;
  application_id: string | null;
  application_name: string | null;
  shared: number | null;
  shared_imported: number | null;
  shared_expired: number | null;
  shared_p50: number | null;
  shared_p90: number | null;
  received: number | null;
  imported: number | null;
  received_expired: number | null;
  received_unverified: number | null;
  received_invalid: number | null;
  received_p50: number | null;
  received_p90: number | null;
  trust_review: number | null;
  approved_imports: number | null;
  declined: number | null;
  recalls_sent: number | null;
  recalls_received: number | null;
};

function figuresStatement(query: AnalyticsQuery, period: AnalyticsPeriod, now: Date): SQL {
  const key = (col: SQL) => sql`case when grouping(${col}) = 1 then 'total' else ${col}::text end`;
  const q = sql`
    with p as (${partnersInScope(query)}),
    r as (${receivedRows(period)}),
    s_agg as (
      select ${key(sql`s.partner_id`)} as k,
        count(*)::int as shared,
        count(*) filter (where s.receipt_status = 'imported')::int as shared_imported,
        count(*) filter (where s.state = 'expired' and s.delivered_at is null and s.revealed_at is null)::int as shared_expired,
        percentile_cont(0.5) within group (order by ${SHARED_LATENCY}) filter (where ${SHARED_MEASURED}) as shared_p50,
        percentile_cont(0.9) within group (order by ${SHARED_LATENCY}) filter (where ${SHARED_MEASURED}) as shared_p90
      from shares s join p on p.id = s.partner_id
      where s.created_at >= ${ts(period.start)} and s.created_at < ${ts(period.end)}
      group by grouping sets ((s.partner_id), ())
    ),
    r_agg as (
      select ${key(sql`r.partner_id`)} as k,
        count(*) filter (where ${VERIFIED})::int as received,
        count(*) filter (where ${IMPORTED})::int as imported,
        count(*) filter (where ${VERIFIED} and ${expiredUnimported(now)})::int as received_expired,
        count(*) filter (where not ${VERIFIED} and not ${INVALID})::int as received_unverified,
        count(*) filter (where ${INVALID})::int as received_invalid,
        percentile_cont(0.5) within group (order by ${RECEIVED_LATENCY}) filter (where ${RECEIVED_MEASURED}) as received_p50,
        percentile_cont(0.9) within group (order by ${RECEIVED_LATENCY}) filter (where ${RECEIVED_MEASURED}) as received_p90,
        count(*) filter (where ${IMPORTED} and r.trust_review)::int as trust_review,
        count(*) filter (where ${IMPORTED} and r.source_status = 'Approved')::int as approved_imports,
        count(*) filter (where ${OVERRIDDEN})::int as declined
      from r
      group by grouping sets ((r.partner_id), ())
    ),
    c_agg as (
      select ${key(sql`x.partner_id`)} as k,
        count(*) filter (where x.sent)::int as recalls_sent,
        count(*) filter (where not x.sent)::int as recalls_received
      from (
        select n.partner_id, true as sent from recall_notices n
        where n.created_at >= ${ts(period.start)} and n.created_at < ${ts(period.end)}
        union all
        select ir.partner_id, false from inbound_recalls ir
        where ir.received_at >= ${ts(period.start)} and ir.received_at < ${ts(period.end)}
      ) x join p on p.id = x.partner_id
      group by grouping sets ((x.partner_id), ())
    ),
    keys as (select k from s_agg union select k from r_agg union select k from c_agg)
    select keys.k, p.name as partner_name, p.application_id, p.application_name,
      s_agg.shared, s_agg.shared_imported, s_agg.shared_expired, s_agg.shared_p50, s_agg.shared_p90,
      r_agg.received, r_agg.imported, r_agg.received_expired, r_agg.received_p50, r_agg.received_p90,
      r_agg.received_unverified, r_agg.received_invalid,
      r_agg.trust_review, r_agg.approved_imports, r_agg.declined,
      c_agg.recalls_sent, c_agg.recalls_received
    from keys
    left join s_agg on s_agg.k = keys.k
    left join r_agg on r_agg.k = keys.k
    left join c_agg on c_agg.k = keys.k
    left join p on keys.k <> 'total' and p.id::text = keys.k
    order by p.name nulls first, keys.k`;
  return q;
}

async function figureRows(db: Db, query: AnalyticsQuery, period: AnalyticsPeriod, now: Date) {
  return rowsOf<FigureRow>(await db.execute(figuresStatement(query, period, now)));
}

type SeriesRow = {
  bucket: string;
  shared: number;
  received: number;
  imported: number;
  overrides: number;
  recalls: number;
};

function seriesStatement(query: AnalyticsQuery, period: AnalyticsPeriod): SQL {
  // The bucket is one of three literals (validated), not a parameter: date_trunc's unit must match
  // between the buckets and the events, and the planner folds a literal.
  const unit = sql.raw(`'${period.bucket}'`);
  const step = sql.raw(`interval '1 ${period.bucket}'`);
  const at = (col: SQL) => sql`date_trunc(${unit}, ${col} at time zone 'UTC')`;
  const q = sql`
    with p as (${partnersInScope(query)}),
    r as (${receivedRows(period)}),
    ev as (
      select ${at(sql`s.created_at`)} as b, 1 as shared, 0 as received, 0 as imported, 0 as overrides, 0 as recalls
      from shares s join p on p.id = s.partner_id
      where s.created_at >= ${ts(period.start)} and s.created_at < ${ts(period.end)}
      union all
      select ${at(sql`r.received_at`)}, 0, (${VERIFIED})::int, (${IMPORTED})::int, (${OVERRIDDEN})::int, 0 from r
      union all
      select ${at(sql`n.created_at`)}, 0, 0, 0, 0, 1
      from recall_notices n join p on p.id = n.partner_id
      where n.created_at >= ${ts(period.start)} and n.created_at < ${ts(period.end)}
      union all
      select ${at(sql`ir.received_at`)}, 0, 0, 0, 0, 1
      from inbound_recalls ir join p on p.id = ir.partner_id
      where ir.received_at >= ${ts(period.start)} and ir.received_at < ${ts(period.end)}
    ),
    agg as (
      select b, sum(shared)::int as shared, sum(received)::int as received, sum(imported)::int as imported,
        sum(overrides)::int as overrides, sum(recalls)::int as recalls
      from ev group by b
    ),
    buckets as (
      select generate_series(
        date_trunc(${unit}, ${period.from}::timestamp), ${period.to}::timestamp, ${step}) as b
    )
    select to_char(buckets.b, 'YYYY-MM-DD') as bucket,
      coalesce(agg.shared, 0) as shared, coalesce(agg.received, 0) as received,
      coalesce(agg.imported, 0) as imported, coalesce(agg.overrides, 0) as overrides,
      coalesce(agg.recalls, 0) as recalls
    from buckets left join agg on agg.b = buckets.b
    order by buckets.b`;
  return q;
}

async function seriesRows(db: Db, query: AnalyticsQuery, period: AnalyticsPeriod) {
  return rowsOf<SeriesRow>(await db.execute(seriesStatement(query, period)));
}

/** The two statements `getAnalytics` runs, for the benchmark's EXPLAIN ANALYZE. */
export function analyticsStatements(query: AnalyticsQuery, now: Date): { figures: SQL; series: SQL } {
  const period = resolveAnalyticsPeriod(query, now);
  return { figures: figuresStatement(query, period, now), series: seriesStatement(query, period) };
}

const int = (v: number | string | null | undefined) => (v === null || v === undefined ? 0 : Number(v));
const seconds = (v: number | string | null | undefined) =>
  v === null || v === undefined ? null : Math.round(Number(v) * 1000) / 1000;
const rate = (n: number, of: number) => (of === 0 ? null : Math.round((n / of) * 10_000) / 10_000);

function toFigures(r: FigureRow | undefined): AnalyticsFiguresDto {
  const shared = int(r?.shared);
  const sharedImported = int(r?.shared_imported);
  const received = int(r?.received);
  const imported = int(r?.imported);
  const trust = int(r?.trust_review);
  const declined = int(r?.declined);
  const approvedImports = int(r?.approved_imports);
  return {
    shared,
    sharedImported,
    sharedImportRate: rate(sharedImported, shared),
    sharedExpiredUndelivered: int(r?.shared_expired),
    sharedLatency: { p50Seconds: seconds(r?.shared_p50), p90Seconds: seconds(r?.shared_p90) },
    received,
    imported,
    importRate: rate(imported, received),
    receivedExpired: int(r?.received_expired),
    receivedUnverified: int(r?.received_unverified),
    receivedInvalid: int(r?.received_invalid),
    receivedLatency: { p50Seconds: seconds(r?.received_p50), p90Seconds: seconds(r?.received_p90) },
    trustReview: { count: trust, of: imported, rate: rate(trust, imported) },
    override: { declined, approvedImports, rate: rate(declined, approvedImports) },
    recallsSent: int(r?.recalls_sent),
    recallsReceived: int(r?.recalls_received),
  };
}

/** `GET /api/analytics`: the figures per partner (those with any activity in the period), totals, series. */
export async function getAnalytics(ctx: ServiceContext, query: AnalyticsQuery): Promise<AnalyticsResponse> {
  assertCan(ctx, "analytics.view");
  const now = ctx.now();
  const period = resolveAnalyticsPeriod(query, now);
  const [rows, series] = await Promise.all([
    figureRows(ctx.db, query, period, now),
    seriesRows(ctx.db, query, period),
  ]);
  const partners: AnalyticsPartnerDto[] = rows
    .filter((r) => r.k !== "total" && r.partner_name !== null)
    .map((r) => ({
      partnerId: r.k,
      partnerName: r.partner_name!,
      applicationId: r.application_id!,
      applicationName: r.application_name!,
      ...toFigures(r),
    }));
  return {
    period: { from: period.from, to: period.to, bucket: period.bucket, days: period.days },
    partners,
    totals: toFigures(rows.find((r) => r.k === "total")),
    series: series.map((s): AnalyticsSeriesPointDto => ({
      bucket: s.bucket,
      shared: int(s.shared),
      received: int(s.received),
      imported: int(s.imported),
      overrides: int(s.overrides),
      recalls: int(s.recalls),
    })),
  };
}
