import { sessionListQuerySchema } from "@/lib/schemas/sessions";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { listSessions } from "@/lib/server/services/sessions";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  GET: apiRoute({ permission: "sessions.read", query: sessionListQuerySchema }, async ({ ctx, query }) =>
    listSessions(ctx, query),
  ),
});
