import { z } from "zod";
import { rotatePartnerSecretRequestSchema } from "@/lib/schemas/partners";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute, jsonResponse } from "@/lib/server/http/route";
import { rotatePartnerSecret } from "@/lib/server/services/partners";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  // Rotation: the new secret is in this response only; the previous one verifies until the overlap ends.
  POST: apiRoute(
    {
      permission: "partners.manage",
      params: z.object({ id: z.uuid() }),
      notFoundMessage: "No such partner.",
      body: rotatePartnerSecretRequestSchema,
    },
    async ({ ctx, params, body }) =>
      jsonResponse(await rotatePartnerSecret(ctx, params.id, body), 201, { "cache-control": "no-store" }),
  ),
});
