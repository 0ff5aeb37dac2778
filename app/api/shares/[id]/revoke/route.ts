import { z } from "zod";
import { revokeShareRequestSchema } from "@/lib/schemas/shares";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { revokeShare } from "@/lib/server/services/sharing";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  POST: apiRoute(
    {
      permission: "shares.create",
      params: z.object({ id: z.uuid() }),
      notFoundMessage: "No such share.",
      body: revokeShareRequestSchema,
    },
    async ({ ctx, params, body }) => revokeShare(ctx, params.id, body),
  ),
});
