import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { getAnalytics, parseAnalyticsQuery } from "@/lib/server/services/operations";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  /** Partner trust analytics: `?from=&to=` (UTC days, both included), `bucket`, `applicationId`, `partnerId`; invalid → 400. */
  GET: apiRoute({ permission: "analytics.view" }, async ({ ctx, query }) =>
    getAnalytics(ctx, parseAnalyticsQuery(query)),
  ),
});
