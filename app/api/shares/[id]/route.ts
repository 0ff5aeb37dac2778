import { z } from "zod";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { getShare } from "@/lib/server/services/sharing";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  GET: apiRoute(
    { permission: "shares.read", params: z.object({ id: z.uuid() }), notFoundMessage: "No such share." },
    async ({ ctx, params }) => getShare(ctx, params.id),
  ),
});
