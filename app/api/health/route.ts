import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute, jsonResponse } from "@/lib/server/http/route";
import { getHealth } from "@/lib/server/services/operations";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  GET: apiRoute({ mode: "public" }, async ({ ctx }) => {
    const health = await getHealth(ctx.db);
    return jsonResponse(health, health.status === "down" ? 503 : 200, { "cache-control": "no-store" });
  }),
});
