import { receiptRequestSchema } from "@/lib/schemas/partner-api";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute, jsonResponse } from "@/lib/server/http/route";
import { recordReceipt, partnerSecretsLookup } from "@/lib/server/services/partners";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  POST: apiRoute(
    { mode: "partner", secrets: partnerSecretsLookup, body: receiptRequestSchema },
    async ({ ctx, body, sender }) => jsonResponse(await recordReceipt(ctx, sender, body), 202),
  ),
});
