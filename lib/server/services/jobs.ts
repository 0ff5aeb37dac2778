import "server-only";
import { registerJobs, type RegisteredJob } from "@/lib/server/jobs";
import { applicationSetupJob, diditWebhookJob } from "@/lib/server/services/applications";
import { retentionJob } from "@/lib/server/services/compliance";
import { maintenanceJob } from "@/lib/server/services/operations";
import { recallPushJob } from "@/lib/server/services/recalls";
import {
  autoImportJob,
  outboundReceiptJob,
  pickupJob,
  reconcileImportJob,
} from "@/lib/server/services/receiving";
import { confirmDecisionJob } from "@/lib/server/services/reviews";
import { sessionSyncJob, sessionSyncTickJob } from "@/lib/server/services/sessions";
import { shareDeliveryJob, shareExpiryJob } from "@/lib/server/services/sharing";

/**
 * Every product queue, in one list: each domain declares its queues with `defineJob` (a zod schema
 * for the payload, the handler, the retry policy) and exports them through its index; they are
 * registered here, once per process, by boot.ts and by tests that run jobs.
 */
export const PRODUCT_JOBS: readonly RegisteredJob[] = [
  applicationSetupJob,
  diditWebhookJob,
  sessionSyncJob,
  sessionSyncTickJob,
  shareDeliveryJob,
  shareExpiryJob,
  autoImportJob,
  reconcileImportJob,
  pickupJob,
  outboundReceiptJob,
  confirmDecisionJob,
  recallPushJob,
  retentionJob,
  maintenanceJob,
];

export function registerProductJobs(): void {
  registerJobs(PRODUCT_JOBS);
}
