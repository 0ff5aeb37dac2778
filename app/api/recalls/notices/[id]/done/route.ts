import { recallDoneRequestSchema, recallIdParamsSchema } from "@/lib/schemas/recalls";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { markNoticeDone } from "@/lib/server/services/recalls";

/** `POST /api/recalls/notices/{id}/done {note}`: an officer told the partner of an open task (409 otherwise). */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  POST: apiRoute(
    {
      permission: "recalls.manage",
      params: recallIdParamsSchema,
      notFoundMessage: "No such recall notice.",
      body: recallDoneRequestSchema,
    },
    async ({ ctx, params, body }) => markNoticeDone(ctx, params.id.toLowerCase(), body),
  ),
});
