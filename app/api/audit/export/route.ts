import { auditExportQuerySchema } from "@/lib/schemas/audit";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { exportAuditEvents } from "@/lib/server/services/audit";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  GET: apiRoute({ permission: "audit.read", query: auditExportQuerySchema }, async ({ ctx, query }) => {
    const out = await exportAuditEvents(ctx, query);
    return new Response(out.stream, {
      headers: {
        "content-type": out.contentType,
        "content-disposition": `attachment; filename="${out.filename}"`,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
  }),
});
