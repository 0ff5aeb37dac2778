/**
 * The receiving domain (we are Service Y): share tokens arrive in the partner inbox, are imported
 * into Didit exactly once, and the sender hears of the outcome.
 */
export { AUTO_IMPORT_QUEUE, autoImportJob, enqueueAutoImport } from "./auto-import";
export { createImport, importByPolicy } from "./import";
export {
  importOfItem,
  importsOfItems,
  loadImport,
  toImportDto,
  type ImportJoinedRow,
} from "./import-records";
export {
  partnerMeta,
  pasteToken,
  receiveInboxDelivery,
  receivePush,
  receiveToken,
  type InboxDeliveryReceived,
  type Received,
  type TokenArrival,
} from "./inbox";
export { getInboxItem, listInbox } from "./inbox-items";
export { RECONCILE_AFTER_MS, RECONCILE_QUEUE, reconcileImport, reconcileImportJob } from "./reconcile";
export { rejectInboxItem } from "./reject";
export { decodeShareToken, type StatedClaims } from "./share-token";
export * from "./outbound-receipts";
export * from "./pickup";
