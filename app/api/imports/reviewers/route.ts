import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { listReviewers } from "@/lib/server/services/reviews";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  /** The active compliance officers a review can be assigned to, by name (id, name, email only). */
  GET: apiRoute({ permission: "reviews.decide" }, async ({ ctx }) => listReviewers(ctx)),
});
