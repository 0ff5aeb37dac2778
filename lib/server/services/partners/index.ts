export {
  agreementRecorded,
  agreementStateOf,
  assertPolicy,
  dayOf,
  daysUntil,
  describeSeconds,
  eligiblePartnersFor,
  evaluateImportPolicy,
  evaluateSharePolicy,
  mirroredSession,
  normaliseStatus,
  toPartnerSummary,
  type ImportPolicyResult,
  type PartnerRow,
  type PolicyRefusal,
  type PolicySession,
  type SharePolicyResult,
} from "./agreement-policy";
export { needsSecret } from "./directory";
export {
  claimInboundMessage,
  pruneInboundMessages,
  releaseInboundMessage,
  type InboundMessage,
} from "./inbound-messages";
export { listPickupShares, pickUpShare, recordReceipt, type PartnerCaller } from "./partner-api";
export { createPartner, updatePartner } from "./partners";
export {
  enqueuePickupPoll,
  PICKUP_QUEUE,
  pickupIntervalMs,
  pickupQualifies,
  PICKUP_RETRY,
  schedulePickupPolls,
} from "./pickup-schedule";
export { eligiblePartners, getPartner, listPartners } from "./reads";
export * from "./remote-partner";
export {
  generatePartnerSecret,
  issuePartnerSecret,
  listPartnerSecrets,
  PARTNER_ID_HEADER,
  partnerSecretsLookup,
  partnerSigningSecret,
  partnerVerificationSecrets,
  rotatePartnerSecret,
} from "./secrets";
