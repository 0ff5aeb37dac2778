import { recallListQuerySchema } from "@/lib/schemas/recalls";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { listRecalls } from "@/lib/server/services/recalls";

/**
 * `GET /api/recalls?side=sent|received&state=&cursor=`: the notices we sent (shares.read) or the
 * recalls partners sent us (inbox.read), newest first, a keyset cursor.
 */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  GET: apiRoute({ permission: "shares.read", query: recallListQuerySchema }, async ({ ctx, query }) =>
    listRecalls(ctx, query),
  ),
});
