import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { listPickupShares } from "@/lib/server/services/partner-api";
import { partnerSecretsLookup } from "@/lib/server/services/partner-secrets";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  GET: apiRoute({ mode: "partner", secrets: partnerSecretsLookup }, async ({ ctx, sender }) =>
    listPickupShares(ctx, sender),
  ),
});
