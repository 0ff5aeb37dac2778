import { z } from "zod";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { fetchReviewMedia } from "@/lib/server/services/review-view";

/** One media file of an import's clone, fetched from the URL Didit gave us (never a redirect to it). */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  GET: apiRoute(
    {
      permission: "inbox.read",
      params: z.object({ id: z.uuid(), ref: z.string().regex(/^[A-Za-z0-9_-]{1,1024}$/) }),
      notFoundMessage: "No such media file for this import.",
    },
    async ({ ctx, params }) => fetchReviewMedia(ctx, params.id, params.ref),
  ),
});
