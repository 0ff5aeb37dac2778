import { drf, methodNotAllowed, sandboxRoute } from "@/lib/server/sandbox/http";
import { sessionDecision } from "@/lib/server/sandbox/sessions";

/** GET /v3/session/{id}/decision/ — the whole session. */
export const GET = sandboxRoute<{ id: string }>(
  { privilege: "read:sessions", rate: "read", uuidParams: ["id"] },
  async ({ app, params, db, origin }) => drf(200, await sessionDecision(db, app, params.id, origin)),
);

export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const DELETE = methodNotAllowed;
