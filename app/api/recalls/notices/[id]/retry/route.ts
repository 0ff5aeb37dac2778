import { recallIdParamsSchema } from "@/lib/schemas/recalls";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { retryNotice } from "@/lib/server/services/recalls";

/** `POST /api/recalls/notices/{id}/retry`: a failed push is queued again (409 for any other notice). */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  POST: apiRoute(
    { permission: "recalls.manage", params: recallIdParamsSchema, notFoundMessage: "No such recall notice." },
    async ({ ctx, params }) => retryNotice(ctx, params.id.toLowerCase()),
  ),
});
