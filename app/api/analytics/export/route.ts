import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { exportAnalytics, parseAnalyticsExportQuery } from "@/lib/server/services/operations";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  /** The analytics per partner as CSV (`format=csv`, the filters of `GET /api/analytics`), audited. */
  GET: apiRoute({ permission: "analytics.view" }, async ({ ctx, query }) => {
    const out = await exportAnalytics(ctx, parseAnalyticsExportQuery(query));
    return new Response(out.body, {
      headers: {
        "content-type": out.contentType,
        "content-disposition": `attachment; filename="${out.filename}"`,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
  }),
});
