import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { verifyAuditChain } from "@/lib/server/services/audit";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  GET: apiRoute({ permission: "audit.verify" }, async ({ ctx }) => verifyAuditChain(ctx.db)),
});
