import { drf, methodNotAllowed, readSandboxJson, sandboxRoute } from "@/lib/server/sandbox/http";
import { updateSessionStatus } from "@/lib/server/sandbox/sessions";

/** PATCH /v3/session/{id}/update-status/ — a manual review decision; fires status.updated. */
export const PATCH = sandboxRoute<{ id: string }>(
  { privilege: "write:sessions", rate: "write", uuidParams: ["id"] },
  async ({ req, app, params, db, now, origin }) =>
    drf(200, await updateSessionStatus(db, app, params.id, await readSandboxJson(req), now, origin)),
);

export const GET = methodNotAllowed;
export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
export const DELETE = methodNotAllowed;
