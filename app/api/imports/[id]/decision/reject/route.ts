import { z } from "zod";
import { rejectProposalRequestSchema } from "@/lib/schemas/reviews";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { rejectProposal } from "@/lib/server/services/reviews";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  /** Another officer rejects the open proposal, or its proposer withdraws it. */
  POST: apiRoute(
    {
      permission: "reviews.decide",
      params: z.object({ id: z.uuid() }),
      notFoundMessage: "No such import.",
      body: rejectProposalRequestSchema,
    },
    async ({ ctx, params, body }) => rejectProposal(ctx, params.id, body),
  ),
});
