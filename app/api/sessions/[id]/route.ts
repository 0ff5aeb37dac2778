import { z } from "zod";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { getSession } from "@/lib/server/services/sessions";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  GET: apiRoute(
    {
      permission: "sessions.read",
      // The Didit session uuid, or the mirror row's id.
      params: z.object({ id: z.uuid() }),
      notFoundMessage: "No such session.",
    },
    async ({ ctx, params }) => getSession(ctx, params.id),
  ),
});
