import "server-only";
import { registerApplicationHandlers } from "./applications";
import { registerImportHandlers } from "./imports";
import { registerOutboundReceiptHandlers } from "./outbound-receipts";
import { registerPickupHandlers } from "./pickup";
import { registerRecallHandlers } from "./recalls";
import { registerRetentionHandlers } from "./retention";
import { registerReviewHandlers } from "./reviews";
import { registerSessionSyncHandlers } from "./session-sync";
import { registerShareDeliveryHandlers } from "./share-delivery";

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
