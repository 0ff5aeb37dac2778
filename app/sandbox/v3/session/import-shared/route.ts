import { methodNotAllowed, readSandboxJson, sandboxRoute } from "@/lib/server/sandbox/http";
import { importSharedSession } from "@/lib/server/sandbox/sessions";

/** POST /v3/session/import-shared/ — redeems a share token into a new session (Service Y). */
export const POST = sandboxRoute(
  { privilege: "write:sessions", rate: "write" },
  async ({ req, app, db, now, origin }) =>
    importSharedSession(db, app, await readSandboxJson(req), now, origin),
);

export const GET = methodNotAllowed;
export const PUT = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const DELETE = methodNotAllowed;
