import { z } from "zod";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { registerApplicationWebhook } from "@/lib/server/services/applications";

/** "Register webhook": registers (or re-reads) this console's Didit webhook destination now. */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  POST: apiRoute(
    {
      permission: "applications.manage",
      params: z.object({ id: z.uuid() }),
      notFoundMessage: "No such connected application.",
      body: z.object({}).strict(),
    },
    async ({ ctx, params }) => registerApplicationWebhook(ctx, params.id),
  ),
});
