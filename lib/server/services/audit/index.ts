export {
  auditMeta,
  GENESIS_HASH,
  getAuditChainState,
  hashAuditRow,
  recordAudit,
  runAuditVerification,
  verifyAuditChain,
  type AuditChainState,
  type AuditCheckpointDto,
  type AuditEventInput,
  type AuditRequestMeta,
  type ChainFailure,
  type ChainVerification,
  type VerifyMode,
  type VerifyOptions,
} from "./audit";
export {
  AUDIT_EXPORT_BATCH,
  AUDIT_EXPORT_COLUMNS,
  csvCell,
  exportAuditEvents,
  type AuditExport,
} from "./export";
export { listAuditEvents, type AuditEventDto, type AuditPersonDto } from "./read";
