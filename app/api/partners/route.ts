import { createPartnerRequestSchema, partnerListQuerySchema } from "@/lib/schemas/partners";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute, jsonResponse } from "@/lib/server/http/route";
import { createPartner, eligiblePartners, listPartners } from "@/lib/server/services/partners";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  // `?eligibleFor=<Didit session uuid>`: the share wizard's list, each partner with its verdict.
  GET: apiRoute({ permission: "partners.read", query: partnerListQuerySchema }, async ({ ctx, query }) =>
    query.eligibleFor ? eligiblePartners(ctx, query.eligibleFor) : listPartners(ctx, query),
  ),

  // The shared secret, when one is issued, is in this response only.
  POST: apiRoute({ permission: "partners.manage", body: createPartnerRequestSchema }, async ({ ctx, body }) =>
    jsonResponse(await createPartner(ctx, body), 201, { "cache-control": "no-store" }),
  ),
});
