"use client";

import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { Card } from "@/components/ui/card";
import { formatDate, formatMonth } from "@/lib/format";
import type { AnalyticsBucket, AnalyticsPartnerDto, AnalyticsSeriesPointDto } from "@/lib/schemas/analytics";
import { BUCKET_LABELS, formatRate, isHighOverride } from "./format";

const COLORS = {
  shared: "#2563eb",
  received: "#059669",
  imported: "#b45309",
  high: "#b91c1c",
  normal: "#475569",
};
const TICK = { fill: "#475569", fontSize: 12 };

/** Shared, received and imported tokens per bucket (each counted in the bucket its token started). */
export function SeriesChart({
  series,
  bucket,
}: {
  series: AnalyticsSeriesPointDto[];
  bucket: AnalyticsBucket;
}) {
  const per = BUCKET_LABELS[bucket].toLowerCase();
  // The console's one day format on the axis, the tooltip and the table (a month bucket: its month).
  const bucketLabel = (value: string) => (bucket === "month" ? formatMonth(value) : formatDate(value));
  return (
    <Card
      title={`Tokens per ${per}`}
      description="Received tokens count as imported in the bucket they arrived in."
    >
      <figure aria-labelledby="analytics-series-caption">
        <figcaption id="analytics-series-caption" className="sr-only">
          Tokens shared, received and imported per {per}
        </figcaption>
        <div className="h-72" aria-hidden>
          <ResponsiveContainer width="100%" height="100%">
            <LineChart
              data={series}
              margin={{ top: 8, right: 16, bottom: 0, left: -16 }}
              accessibilityLayer={false}
            >
              <CartesianGrid stroke="#e2e8f0" vertical={false} />
              <XAxis dataKey="bucket" tick={TICK} minTickGap={16} tickFormatter={bucketLabel} />
              <YAxis allowDecimals={false} tick={TICK} />
              <Tooltip labelFormatter={(label) => bucketLabel(String(label))} />
              <Legend />
              <Line
                type="monotone"
                dataKey="shared"
                name="Shared"
                stroke={COLORS.shared}
                strokeWidth={2}
                dot={false}
                isAnimationActive={false}
              />
              <Line
                type="monotone"
                dataKey="received"
                name="Received"
                stroke={COLORS.received}
                strokeWidth={2}
                dot={false}
                isAnimationActive={false}
              />
              <Line
                type="monotone"
                dataKey="imported"
                name="Imported"
                stroke={COLORS.imported}
                strokeWidth={2}
                dot={false}
                isAnimationActive={false}
              />
            </LineChart>
          </ResponsiveContainer>
        </div>
        {/* The chart's figures for screen readers (the drawing is hidden from them). The clip is on a
            wrapper: a table ignores the 1 px width of sr-only and would widen the page on a phone. */}
        <div className="sr-only">
          <table>
            <caption>Tokens per {per}</caption>
            <thead>
              <tr>
                <th scope="col">{BUCKET_LABELS[bucket]} starting</th>
                <th scope="col">Shared</th>
                <th scope="col">Received</th>
                <th scope="col">Imported</th>
                <th scope="col">Overrides</th>
                <th scope="col">Recalls</th>
              </tr>
            </thead>
            <tbody>
              {series.map((b) => (
                <tr key={b.bucket}>
                  <th scope="row">{bucketLabel(b.bucket)}</th>
                  <td>{b.shared}</td>
                  <td>{b.received}</td>
                  <td>{b.imported}</td>
                  <td>{b.overrides}</td>
                  <td>{b.recalls}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </figure>
    </Card>
  );
}

/** The override rate per partner (partners with approved imports), high ones in red. */
export function OverrideChart({ partners }: { partners: AnalyticsPartnerDto[] }) {
  const rows = partners
    .filter((p) => p.override.rate !== null)
    .map((p) => ({
      id: p.partnerId,
      name: p.partnerName,
      pct: Math.round(p.override.rate! * 1000) / 10,
      high: isHighOverride(p.override),
      label: `${p.override.declined}/${p.override.approvedImports}`,
    }));
  return (
    <Card
      title="Override rate per partner"
      description="Of the imports a partner had approved, the share our reviewers declined. Red: high enough to review that partner's decisions."
    >
      {rows.length === 0 ? (
        <p className="text-sm text-slate-600">
          No import of a token the partner had approved in this period, so no override rate yet.
        </p>
      ) : (
        <figure aria-labelledby="analytics-override-caption">
          <figcaption id="analytics-override-caption" className="sr-only">
            Override rate per partner
          </figcaption>
          <div style={{ height: Math.max(120, rows.length * 36 + 40) }} aria-hidden>
            <ResponsiveContainer width="100%" height="100%">
              <BarChart
                data={rows}
                layout="vertical"
                margin={{ top: 4, right: 24, bottom: 0, left: 8 }}
                accessibilityLayer={false}
              >
                <CartesianGrid stroke="#e2e8f0" horizontal={false} />
                <XAxis type="number" domain={[0, 100]} unit=" %" tick={TICK} />
                <YAxis type="category" dataKey="name" width={160} tick={TICK} />
                <Tooltip formatter={(value) => [`${String(value)} %`, "Override rate"]} />
                <Bar dataKey="pct" name="Override rate" isAnimationActive={false}>
                  {rows.map((r) => (
                    <Cell key={r.id} fill={r.high ? COLORS.high : COLORS.normal} />
                  ))}
                </Bar>
              </BarChart>
            </ResponsiveContainer>
          </div>
          <ul className="sr-only">
            {partners
              .filter((p) => p.override.rate !== null)
              .map((p) => (
                <li key={p.partnerId}>
                  {p.partnerName}: {formatRate(p.override.rate)} ({p.override.declined} of{" "}
                  {p.override.approvedImports})
                </li>
              ))}
          </ul>
        </figure>
      )}
    </Card>
  );
}
