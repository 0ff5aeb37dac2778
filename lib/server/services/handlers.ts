import "server-only";
import { registerApplicationHandlers } from "@/lib/server/services/applications";
import {
  registerImportHandlers,
  registerOutboundReceiptHandlers,
  registerPickupHandlers,
} from "@/lib/server/services/receiving";
import { registerRecallHandlers } from "@/lib/server/services/recalls";
import { registerRetentionHandlers } from "@/lib/server/services/compliance";
import { registerReviewHandlers } from "@/lib/server/services/reviews";
import { registerSessionSyncHandlers } from "@/lib/server/services/sessions";
import { registerShareDeliveryHandlers } from "@/lib/server/services/sharing";

/**
 * Registers the product's job handlers (one line per feature), once per process, from boot and
 * from tests that run jobs. Each feature module exports its own `register…Handlers()`.
 */
export function registerProductHandlers(): void {
  // (feature handlers are registered below, one call per line)
  registerApplicationHandlers();
  registerSessionSyncHandlers();
  registerShareDeliveryHandlers();
  registerImportHandlers();
  registerPickupHandlers();
  registerOutboundReceiptHandlers();
  registerReviewHandlers();
  registerRecallHandlers();
  registerRetentionHandlers();
}
