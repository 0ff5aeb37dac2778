import { z } from "zod";
import { AppError } from "@/lib/server/http/errors";
import { apiRoute, readJson } from "@/lib/server/http/route";
import { revokeUserSessions } from "@/lib/server/services/user-sessions";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const revokeSessionsRequestSchema = z.object({}).strict();

/** "Sign out everywhere" for one user: every live session of theirs ends now. */
export const POST = apiRoute<{ id: string }>({ permission: "users.manage" }, async ({ req, ctx, params }) => {
  if (!UUID_RE.test(params.id)) throw new AppError("not_found", "No such user.");
  await readJson(req, revokeSessionsRequestSchema);
  return revokeUserSessions(ctx, params.id);
});
