import { z } from "zod";
import { setRetentionRequestSchema } from "@/lib/schemas/applications";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { setApplicationRetention } from "@/lib/server/services/compliance";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  PUT: apiRoute(
    {
      permission: "applications.manage",
      params: z.object({ id: z.uuid() }),
      notFoundMessage: "No such connected application.",
      body: setRetentionRequestSchema,
    },
    async ({ ctx, params, body }) => setApplicationRetention(ctx, params.id, body),
  ),
});
