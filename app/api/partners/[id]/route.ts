import { z } from "zod";
import { updatePartnerRequestSchema } from "@/lib/schemas/partners";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { getPartner, updatePartner } from "@/lib/server/services/partners";

const params = z.object({ id: z.uuid() });
const notFoundMessage = "No such partner.";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  GET: apiRoute({ permission: "partners.read", params, notFoundMessage }, async ({ ctx, params }) =>
    getPartner(ctx, params.id),
  ),

  PATCH: apiRoute(
    { permission: "partners.manage", params, notFoundMessage, body: updatePartnerRequestSchema },
    async ({ ctx, params, body }) => updatePartner(ctx, params.id, body),
  ),
});
