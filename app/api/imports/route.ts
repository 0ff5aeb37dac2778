import { importListQuerySchema } from "@/lib/schemas/reviews";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { listImports } from "@/lib/server/services/reviews";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  /** The review queue (`?status=In%20Review`): open proposals first, then the oldest import. */
  GET: apiRoute({ permission: "inbox.read", query: importListQuerySchema }, async ({ ctx, query }) =>
    listImports(ctx, query),
  ),
});
