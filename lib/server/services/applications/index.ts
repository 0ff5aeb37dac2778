export {
  createApplication,
  deleteApplication,
  getApplication,
  listApplications,
  registerApplicationWebhook,
  requestApplicationSync,
  updateApplication,
} from "./applications";
export {
  DEMO_AGREEMENT_REFERENCE,
  DEMO_AGREEMENT_SIGNED_ON,
  demoConnectionsFile,
  seedDemoConnections,
  type DemoConnectionsResult,
  type DemoFile,
} from "./demo-connections";
export {
  acceptDiditWebhook,
  DIDIT_WEBHOOK_QUEUE,
  diditWebhookEventSchema,
  diditWebhookJob,
  diditWebhookSecrets,
  processDiditWebhook,
  type DiditWebhookEvent,
  type DiditWebhookJob,
} from "./didit-webhooks";
export { callerOf, receiverUrl, toApplicationDto, toApplicationSummaryDto, type ApplicationRow } from "./dto";
export { ensureWebhookDestination, WEBHOOK_EVENTS } from "./keys";
export {
  APPLICATION_SETUP_QUEUE,
  applicationSetupJob,
  enqueueApplicationSetup,
  runApplicationSetup,
  scheduleApplicationChecks,
} from "./setup";
