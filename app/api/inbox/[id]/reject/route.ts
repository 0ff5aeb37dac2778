import { z } from "zod";
import { rejectInboxItemRequestSchema } from "@/lib/schemas/inbox";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { rejectInboxItem } from "@/lib/server/services/receiving";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  POST: apiRoute(
    {
      permission: "imports.create",
      params: z.object({ id: z.uuid() }),
      notFoundMessage: "No such inbox item.",
      body: rejectInboxItemRequestSchema,
    },
    async ({ ctx, params, body }) => rejectInboxItem(ctx, params.id, body),
  ),
});
