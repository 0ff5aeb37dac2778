import { methodNotAllowed, readSandboxJson, sandboxRoute } from "@/lib/server/sandbox/http";
import { shareSession } from "@/lib/server/sandbox/sessions";

/** POST /v3/session/{id}/share/ — mints a share token for a finished session (Service X). */
export const POST = sandboxRoute<{ id: string }>(
  { privilege: "write:sessions", rate: "write", unauthorizedStatus: 401, uuidParams: ["id"] },
  async ({ req, app, params, db, now }) => shareSession(db, app, params.id, await readSandboxJson(req), now),
);

export const GET = methodNotAllowed;
export const PUT = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const DELETE = methodNotAllowed;
