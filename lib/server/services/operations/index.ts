export {
  analyticsStatements,
  getAnalytics,
  parseAnalyticsExportQuery,
  parseAnalyticsQuery,
  resolveAnalyticsPeriod,
  type AnalyticsPeriod,
} from "./analytics";
export { ANALYTICS_EXPORT_COLUMNS, exportAnalytics, type AnalyticsExport } from "./analytics-export";
export { getDashboard, getRoleDashboard, retryJob, type DashboardData } from "./dashboard";
export {
  DEAD_JOBS_SHOWN,
  EXPIRING_SOON_MS,
  RECALL_WINDOW_DAYS,
  RECENT_EXPORTS,
  RECENT_RECALLS,
  type AdminDashboard,
  type ApplicationHealth,
  type AuditChainState,
  type AuditorDashboard,
  type DashboardFigure,
  type DashboardJob,
  type EvidenceExportSummary,
  type OfficerDashboard,
  type PartnershipsDashboard,
  type RecallSummary,
  type RoleDashboard,
} from "./dashboard-types";
export { getHealth, type Health } from "./health";
export {
  ENDED_SESSION_RETENTION_MS,
  INBOUND_ID_RETENTION_MS,
  MAINTENANCE_QUEUE,
  maintenanceJob,
  runMaintenance,
  scheduleMaintenance,
  type MaintenanceResult,
} from "./maintenance";
export { reencryptSecrets, type ReencryptCounts, type ReencryptResult } from "./reencrypt-secrets";
