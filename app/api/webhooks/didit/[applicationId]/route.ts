import { z } from "zod";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import {
  acceptDiditWebhook,
  diditWebhookEventSchema,
  diditWebhookSecrets,
} from "@/lib/server/services/applications";

/**
 * Didit's webhooks for one connected application: verified over the raw bytes (X-Signature-V2,
 * X-Timestamp, the body's timestamp), `event_id` handled once, the work queued, 200 at once.
 */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  POST: apiRoute(
    {
      mode: "didit-webhook",
      params: z.object({ applicationId: z.uuid() }),
      notFoundMessage: "No such connected application.",
      body: diditWebhookEventSchema,
      // A decision with every feature array can be large; the proxy never sees this path.
      maxBodyBytes: 4 * 1024 * 1024,
      secrets: (ctx, params) => diditWebhookSecrets(ctx, params.applicationId),
    },
    async ({ ctx, body, sender }) => acceptDiditWebhook(ctx, sender, body),
  ),
});
