import { z } from "zod";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { searchLineage } from "@/lib/server/services/lineage";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  /** The lineage page's search box: `?q=` a session uuid, number, vendor_data or name → matching sessions. */
  GET: apiRoute(
    { permission: "lineage.read", query: z.object({ q: z.string().trim().min(1).max(200) }) },
    async ({ ctx, query }) => searchLineage(ctx, query.q),
  ),
});
