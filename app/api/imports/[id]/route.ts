import { z } from "zod";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { getImportInReview } from "@/lib/server/services/reviews";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  /** The import with its lineage, decisions, timeline, and the clone side by side with its source. */
  GET: apiRoute(
    { permission: "inbox.read", params: z.object({ id: z.uuid() }), notFoundMessage: "No such import." },
    async ({ ctx, params }) => getImportInReview(ctx, params.id),
  ),
});
