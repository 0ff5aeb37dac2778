import { z } from "zod";
import { syncApplicationRequestSchema } from "@/lib/schemas/applications";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute, jsonResponse } from "@/lib/server/http/route";
import { requestApplicationSync } from "@/lib/server/services/applications";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  POST: apiRoute(
    {
      permission: "applications.manage",
      params: z.object({ id: z.uuid() }),
      notFoundMessage: "No such connected application.",
      body: syncApplicationRequestSchema,
    },
    async ({ ctx, params, body }) => jsonResponse(await requestApplicationSync(ctx, params.id, body), 202),
  ),
});
