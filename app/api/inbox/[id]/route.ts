import { z } from "zod";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { getInboxItem } from "@/lib/server/services/receiving";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  GET: apiRoute(
    { permission: "inbox.read", params: z.object({ id: z.uuid() }), notFoundMessage: "No such inbox item." },
    async ({ ctx, params }) => getInboxItem(ctx, params.id),
  ),
});
