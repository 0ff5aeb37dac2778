import { apiRoute } from "@/lib/server/http/route";
import { verifyAuditChain } from "@/lib/server/services/audit";

export const GET = apiRoute({ permission: "audit.verify" }, async ({ ctx }) => verifyAuditChain(ctx.db));
