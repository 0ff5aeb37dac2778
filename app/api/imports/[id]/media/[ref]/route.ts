import { z } from "zod";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { fetchReviewMedia } from "@/lib/server/services/reviews";

/** One media file of an import's clone, fetched from the URL Didit gave us (never a redirect to it). */
const methods = routeMethods({
  GET: apiRoute(
    {
      permission: "inbox.read",
      params: z.object({ id: z.uuid(), ref: z.string().regex(/^[A-Za-z0-9_-]{1,1024}$/) }),
      notFoundMessage: "No such media file for this import.",
    },
    async ({ ctx, params }) => fetchReviewMedia(ctx, params.id, params.ref),
  ),
});

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = methods;

/** GET's status and headers; the upstream body is cancelled, not left open until its timeout. */
export const HEAD: typeof methods.HEAD = async (req, context) => {
  const res = await methods.GET(req, context);
  await res.body?.cancel().catch(() => undefined);
  return new Response(null, { status: res.status, headers: res.headers });
};
