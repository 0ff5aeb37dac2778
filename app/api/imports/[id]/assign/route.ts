import { z } from "zod";
import { assignRequestSchema } from "@/lib/schemas/reviews";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { assignImport } from "@/lib/server/services/reviews";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  /** Assign the review: "me", an active officer's id, or null to unassign. */
  POST: apiRoute(
    {
      permission: "reviews.decide",
      params: z.object({ id: z.uuid() }),
      notFoundMessage: "No such import.",
      body: assignRequestSchema,
    },
    async ({ ctx, params, body }) => assignImport(ctx, params.id, body),
  ),
});
