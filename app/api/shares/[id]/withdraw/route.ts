import { z } from "zod";
import { withdrawShareRequestSchema } from "@/lib/schemas/shares";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { withdrawShare } from "@/lib/server/services/sharing";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  /** A delivered share is withdrawn: its inbox item (a sister brand), or a `withdrawn` recall. */
  POST: apiRoute(
    {
      permission: "shares.create",
      params: z.object({ id: z.uuid() }),
      notFoundMessage: "No such share.",
      body: withdrawShareRequestSchema,
    },
    async ({ ctx, params, body }) => withdrawShare(ctx, params.id, body),
  ),
});
