import { createShareRequestSchema, shareListQuerySchema } from "@/lib/schemas/shares";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute, jsonResponse } from "@/lib/server/http/route";
import { createShare, listShares } from "@/lib/server/services/sharing";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  GET: apiRoute({ permission: "shares.read", query: shareListQuerySchema }, async ({ ctx, query }) =>
    listShares(ctx, query),
  ),

  POST: apiRoute(
    { permission: "shares.create", idempotent: true, body: createShareRequestSchema },
    async ({ ctx, body }) => jsonResponse(await createShare(ctx, body), 201, { "cache-control": "no-store" }),
  ),
});
