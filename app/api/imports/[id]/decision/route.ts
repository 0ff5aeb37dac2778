import { z } from "zod";
import { decisionRequestSchema } from "@/lib/schemas/reviews";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute, jsonResponse } from "@/lib/server/http/route";
import { decideImport } from "@/lib/server/services/reviews";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  /** 200: sent to Didit; 202: a four-eyes proposal awaiting a second officer (nothing sent). */
  POST: apiRoute(
    {
      permission: "reviews.decide",
      idempotent: true,
      params: z.object({ id: z.uuid() }),
      notFoundMessage: "No such import.",
      body: decisionRequestSchema,
    },
    async ({ ctx, params, body }) => {
      const answer = await decideImport(ctx, params.id, body);
      return jsonResponse(answer, answer.decision.state === "proposed" ? 202 : 200, {
        "cache-control": "no-store",
      });
    },
  ),
});
