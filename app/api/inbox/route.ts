import { inboxListQuerySchema, pasteTokenRequestSchema } from "@/lib/schemas/inbox";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute, jsonResponse } from "@/lib/server/http/route";
import { listInbox, pasteToken } from "@/lib/server/services/receiving";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  GET: apiRoute({ permission: "inbox.read", query: inboxListQuerySchema }, async ({ ctx, query }) =>
    listInbox(ctx, query),
  ),

  /** An officer pastes a token: 201 when stored now, 200 with the item already holding it. */
  POST: apiRoute(
    { permission: "imports.create", idempotent: true, body: pasteTokenRequestSchema },
    async ({ ctx, body }) => {
      const { item, created } = await pasteToken(ctx, body);
      return jsonResponse(item, created ? 201 : 200, { "cache-control": "no-store" });
    },
  ),
});
