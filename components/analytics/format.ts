import type { AnalyticsBucket } from "@/lib/schemas/analytics";

export const PERIOD_PRESETS = ["30", "90", "365"] as const;
export type PeriodPreset = (typeof PERIOD_PRESETS)[number];
export const PERIOD_RANGES = [...PERIOD_PRESETS, "custom"] as const;
export type PeriodRange = (typeof PERIOD_RANGES)[number];
export const BUCKETS = ["day", "week", "month"] as const satisfies readonly AnalyticsBucket[];
export const BUCKET_LABELS: Record<AnalyticsBucket, string> = { day: "Day", week: "Week", month: "Month" };

/** An override rate at or above this (with at least this many approved imports) is flagged. */
export const HIGH_OVERRIDE_RATE = 0.2;
export const HIGH_OVERRIDE_MIN_IMPORTS = 3;

const DAY_MS = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** The last `days` UTC days up to today, both ends included (as the API's default of 90). */
export function presetPeriod(days: number, now: Date = new Date()): { from: string; to: string } {
  return { from: isoDay(new Date(now.getTime() - (days - 1) * DAY_MS)), to: isoDay(now) };
}

/** 0.4286 → "42.9 %"; null (nothing to divide by) → "—". */
export function formatRate(rate: number | null): string {
  if (rate === null) return "—";
  const pct = Math.round(rate * 1000) / 10;
  return `${pct.toLocaleString("en-GB", { maximumFractionDigits: 1 })} %`;
}

/** Seconds as the two largest units: 45 s, 4 min 10 s, 3 h 5 min, 2 d 4 h; null → "—". */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null) return "—";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const units: [number, string][] = [
    [86_400, "d"],
    [3_600, "h"],
    [60, "min"],
    [1, "s"],
  ];
  const i = units.findIndex(([size]) => s >= size);
  const [big, bigLabel] = units[i]!;
  const [small, smallLabel] = units[i + 1]!;
  const a = Math.floor(s / big);
  const b = Math.floor((s - a * big) / small);
  return b ? `${a} ${bigLabel} ${b} ${smallLabel}` : `${a} ${bigLabel}`;
}

export function isHighOverride(override: { declined: number; approvedImports: number; rate: number | null }) {
  return (
    override.rate !== null &&
    override.approvedImports >= HIGH_OVERRIDE_MIN_IMPORTS &&
    override.rate >= HIGH_OVERRIDE_RATE
  );
}
