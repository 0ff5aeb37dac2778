import { auditListQuerySchema } from "@/lib/schemas/audit";
import { apiRoute, readQuery } from "@/lib/server/http/route";
import { listAuditEvents } from "@/lib/server/services/audit";

export const GET = apiRoute({ permission: "audit.read" }, async ({ req, ctx }) =>
  listAuditEvents(ctx.db, readQuery(req, auditListQuerySchema)),
);
