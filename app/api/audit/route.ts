import { auditListQuerySchema } from "@/lib/schemas/audit";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { listAuditEvents } from "@/lib/server/services/audit";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  GET: apiRoute({ permission: "audit.read", query: auditListQuerySchema }, async ({ ctx, query }) =>
    listAuditEvents(ctx.db, query),
  ),
});
