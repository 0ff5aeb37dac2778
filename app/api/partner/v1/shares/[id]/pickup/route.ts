import { z } from "zod";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute, jsonResponse } from "@/lib/server/http/route";
import { pickUpShare, partnerSecretsLookup } from "@/lib/server/services/partners";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  // The token is handed over this once: never cached.
  POST: apiRoute(
    {
      mode: "partner",
      secrets: partnerSecretsLookup,
      params: z.object({ id: z.uuid() }),
      notFoundMessage: "No such share for this partner.",
    },
    async ({ ctx, params, sender }) =>
      jsonResponse(await pickUpShare(ctx, sender, params.id), 200, { "cache-control": "no-store" }),
  ),
});
