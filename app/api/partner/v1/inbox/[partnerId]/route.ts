import { z } from "zod";
import type { InboxDeliveryResponse } from "@/lib/schemas/inbox";
import { shareDeliverySchema } from "@/lib/schemas/partner-api";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute, jsonResponse } from "@/lib/server/http/route";
import { receivePush } from "@/lib/server/services/inbox";
import { partnerSecretsLookup } from "@/lib/server/services/partner-secrets";

/**
 * A partner pushes a share to us: 202 when stored now, 200 with the same item for a redelivery
 * (the answer documented in the partner API: `received`, plus the item and its state).
 */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  POST: apiRoute(
    {
      mode: "partner",
      secrets: partnerSecretsLookup,
      params: z.object({ partnerId: z.uuid() }),
      notFoundMessage: "No such inbox: check the partner id in the URL.",
      body: shareDeliverySchema,
    },
    async ({ ctx, body, sender }) => {
      const { item, created } = await receivePush(ctx, sender, body);
      const answer: InboxDeliveryResponse = { received: true, inbox_item_id: item.id, state: item.state };
      return jsonResponse(answer, created ? 202 : 200);
    },
  ),
});
