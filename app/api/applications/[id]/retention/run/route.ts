import { z } from "zod";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { runApplicationRetention } from "@/lib/server/services/compliance";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  POST: apiRoute(
    {
      permission: "applications.manage",
      params: z.object({ id: z.uuid() }),
      notFoundMessage: "No such connected application.",
    },
    async ({ ctx, params }) => runApplicationRetention(ctx, params.id),
  ),
});
