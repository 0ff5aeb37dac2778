import { recallIdParamsSchema } from "@/lib/schemas/recalls";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { getRecall } from "@/lib/server/services/recalls";

/** `GET /api/recalls/{id}`: a recall we raised with its notices, or one a partner sent us. */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  GET: apiRoute(
    { permission: "shares.read", params: recallIdParamsSchema, notFoundMessage: "No such recall." },
    async ({ ctx, params }) => getRecall(ctx, params.id.toLowerCase()),
  ),
});
