import "server-only";
import { sql, type SQL } from "drizzle-orm";

// ---------------------------------------------------------------------------------------------------
// Dashboards per role (`GET /api/dashboard` and the home page): each figure one SQL aggregate over the
// records, with the page (and its URL filters) it comes from.
// ---------------------------------------------------------------------------------------------------

/** One figure of a dashboard: its number, a short label, and the page listing what it counts. */
export type DashboardFigure = {
  id: string;
  label: string;
  value: number;
  href: string;
  /** What the figure counts, and what to do about it. */
  hint: string;
  /** Said instead of the hint when the figure is zero. */
  empty: string;
};

export type OfficerDashboard = { role: "officer"; figures: DashboardFigure[] };
export type PartnershipsDashboard = { role: "partnerships"; figures: DashboardFigure[] };

export type AuditChainState = {
  /** `unverified` when no verification has been recorded yet. */
  state: "verified" | "failed" | "unverified";
  verifiedThroughSeq: number | null;
  verifiedAt: string | null;
  full: boolean | null;
  firstBadSeq: number | null;
  failureReason: string | null;
  /** Events recorded after the verified prefix. */
  unverifiedEvents: number;
};

export type EvidenceExportSummary = {
  id: string;
  sessionId: string;
  requestedBy: string;
  files: number;
  sizeBytes: number;
  keyFingerprint: string;
  createdAt: string;
};

/** A recall we raised (sent: our source changed) or a partner's we received, for the auditor. */
export type RecallSummary = {
  id: string;
  side: "sent" | "received";
  /** The source session (ours when sent, the partner's when received). */
  sessionId: string;
  trigger: string;
  reason: string;
  /** The partner that told us (received); null when sent (one recall may go to several partners). */
  partnerName: string | null;
  /** Sent: notices made; received: our imports it marked recalled. */
  count: number;
  at: string;
};

export type AuditorDashboard = {
  role: "auditor";
  figures: DashboardFigure[];
  chain: AuditChainState;
  lastEventAt: string | null;
  recentExports: EvidenceExportSummary[];
  recentRecalls: RecallSummary[];
};

export type ApplicationHealth = {
  id: string;
  name: string;
  environment: string;
  syncState: string;
  syncFinishedAt: string | null;
  syncError: string | null;
  lastWebhookAt: string | null;
  webhookError: string | null;
  /** `didit.webhook` jobs of this application retrying or dead-lettered. */
  webhookFailures: number;
};

export type DashboardJob = {
  id: string;
  queue: string;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  finishedAt: string | null;
};

export type AdminDashboard = {
  role: "admin";
  figures: DashboardFigure[];
  applications: ApplicationHealth[];
  queues: { queue: string; waiting: number; running: number; failing: number; dead: number }[];
  deadJobs: DashboardJob[];
};

export type RoleDashboard = OfficerDashboard | PartnershipsDashboard | AuditorDashboard | AdminDashboard;

/** Tokens expiring within this window are "about to expire". */
export const EXPIRING_SOON_MS = 60 * 60_000;
export const RECENT_EXPORTS = 5;
export const RECENT_RECALLS = 5;
/** The auditor's recall figure counts this many days back. */
export const RECALL_WINDOW_DAYS = 30;
export const DEAD_JOBS_SHOWN = 20;

export const IN_REVIEW = "In Review";

export function n(value: unknown): number {
  return Number(value ?? 0);
}

export function isoOf(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

export function at(now: Date): SQL {
  return sql`${now.toISOString()}::timestamptz`;
}
