export { requestErasure } from "./erasure";
export { removedFieldsHash } from "./erasure-copies";
export { getErasureRequest, listErasureRequests } from "./erasure-reads";
export {
  auditCsv,
  ed25519Fingerprint,
  formatEvidenceReport,
  verifyEvidencePack,
  type EvidenceProblem,
  type EvidenceVerification,
  type PackAuditEvent,
} from "./evidence-verify";
export {
  evidencePackTarget,
  exportEvidencePack,
  type EvidenceAuditEvent,
  type EvidencePack,
} from "./evidence";
export { EVIDENCE_FILES, EVIDENCE_PACK_FORMAT, type EvidenceManifest } from "./evidence-files";
export {
  enforceRetention,
  REDACTED_MIRROR_FIELDS,
  RETENTION_BATCH,
  RETENTION_QUEUE,
  retentionJob,
  runApplicationRetention,
  runRetentionJob,
  scheduleRetention,
  setApplicationRetention,
} from "./retention";
export { getEvidencePublicKey, signWithEvidenceKey, type PublicSigningKey } from "./signing-keys";
