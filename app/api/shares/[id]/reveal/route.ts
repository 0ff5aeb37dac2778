import { z } from "zod";
import { revealShareRequestSchema } from "@/lib/schemas/shares";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute, jsonResponse } from "@/lib/server/http/route";
import { revealShare } from "@/lib/server/services/sharing";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  // The token is shown this once: never cached by the browser or a proxy.
  POST: apiRoute(
    {
      permission: "shares.create",
      params: z.object({ id: z.uuid() }),
      notFoundMessage: "No such share.",
      body: revealShareRequestSchema,
    },
    async ({ ctx, params }) =>
      jsonResponse(await revealShare(ctx, params.id), 200, {
        "cache-control": "no-store",
        pragma: "no-cache",
      }),
  ),
});
