import { z } from "zod";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { getErasureRequest } from "@/lib/server/services/compliance";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  GET: apiRoute(
    {
      permission: "erasure.request",
      params: z.object({ id: z.uuid() }),
      notFoundMessage: "No such erasure request.",
    },
    async ({ ctx, params }) => getErasureRequest(ctx, params.id),
  ),
});
