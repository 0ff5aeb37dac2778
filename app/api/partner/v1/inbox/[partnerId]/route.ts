import { z } from "zod";
import type { InboxDeliveryResponse } from "@/lib/schemas/inbox";
import { inboxDeliverySchema, type RecallReceivedResponse } from "@/lib/schemas/partner-api";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute, jsonResponse } from "@/lib/server/http/route";
import { receiveInboxDelivery } from "@/lib/server/services/receiving";
import { partnerSecretsLookup } from "@/lib/server/services/partners";

/**
 * A partner pushes a share (`handoff.share.v1`) or a recall (`handoff.recall.v1`) to us: 202 when
 * stored now, 200 with the same item or recall for a redelivery (the answers documented in the
 * partner API).
 */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  POST: apiRoute(
    {
      mode: "partner",
      secrets: partnerSecretsLookup,
      params: z.object({ partnerId: z.uuid() }),
      notFoundMessage: "No such inbox: check the partner id in the URL.",
      body: inboxDeliverySchema,
    },
    async ({ ctx, body, sender }) => {
      const received = await receiveInboxDelivery(ctx, sender, body);
      if (received.type === "handoff.recall.v1") {
        const answer: RecallReceivedResponse = {
          received: true,
          recall_id: received.recall.id,
          imports: received.recall.importCount,
        };
        return jsonResponse(answer, received.created ? 202 : 200);
      }
      const { item, created } = received;
      const answer: InboxDeliveryResponse = { received: true, inbox_item_id: item.id, state: item.state };
      return jsonResponse(answer, created ? 202 : 200);
    },
  ),
});
