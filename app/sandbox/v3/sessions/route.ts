import { drf, methodNotAllowed, sandboxRoute } from "@/lib/server/sandbox/http";
import { listSessions } from "@/lib/server/sandbox/sessions";

/** GET /v3/sessions/ — the caller's sessions, filtered and paginated as Didit does. */
export const GET = sandboxRoute(
  { privilege: "read:sessions", rate: "read" },
  async ({ req, app, db, origin }) => drf(200, await listSessions(db, app, req.url, origin)),
);

export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const DELETE = methodNotAllowed;
