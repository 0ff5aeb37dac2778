import { auditVerifyRequestSchema } from "@/lib/schemas/audit";
import { routeMethods } from "@/lib/server/http/methods";
import { apiRoute } from "@/lib/server/http/route";
import { getAuditChainState, runAuditVerification } from "@/lib/server/services/audit";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = routeMethods({
  // Read-only: the newest checkpoint and the rows after it walked, nothing written.
  GET: apiRoute({ permission: "audit.verify" }, async ({ ctx }) => getAuditChainState(ctx)),
  // A verification that is remembered (a checkpoint) and audited (`audit.verified`).
  POST: apiRoute({ permission: "audit.verify", body: auditVerifyRequestSchema }, async ({ ctx, body }) =>
    runAuditVerification(ctx, body),
  ),
});
