import { createErasureRequestSchema, erasureListQuerySchema } from "@/lib/schemas/erasure";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute, jsonResponse } from "@/lib/server/http/route";
import { listErasureRequests, requestErasure } from "@/lib/server/services/compliance";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  GET: apiRoute({ permission: "erasure.request", query: erasureListQuerySchema }, async ({ ctx, query }) =>
    listErasureRequests(ctx, query),
  ),

  POST: apiRoute({ permission: "erasure.request", body: createErasureRequestSchema }, async ({ ctx, body }) =>
    jsonResponse(await requestErasure(ctx, body), 201, { "cache-control": "no-store" }),
  ),
});
