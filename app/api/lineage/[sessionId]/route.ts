import { z } from "zod";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { getLineage } from "@/lib/server/services/lineage";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  /**
   * The lineage graph around a session: `sessionId` is a Didit session uuid or a session number;
   * a number held in several applications answers 409 listing them, unless `?applicationId=` picks.
   */
  GET: apiRoute(
    {
      permission: "lineage.read",
      params: z.object({ sessionId: z.string().min(1).max(64) }),
      query: z.object({ applicationId: z.uuid().optional() }),
      notFoundMessage: "No record of this session.",
    },
    async ({ ctx, params, query }) =>
      getLineage(ctx, params.sessionId, { applicationId: query.applicationId }),
  ),
});
