import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { listPickupShares, partnerSecretsLookup } from "@/lib/server/services/partners";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  GET: apiRoute({ mode: "partner", secrets: partnerSecretsLookup }, async ({ ctx, sender }) =>
    listPickupShares(ctx, sender),
  ),
});
