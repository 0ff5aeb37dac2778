import { drf, methodNotAllowed, sandboxAdminRoute } from "@/lib/server/sandbox/http";
import { deleteApplication } from "@/lib/server/sandbox/applications";
import { isUuid } from "@/lib/server/sandbox/errors";

/** Soft-deletes an application: its keys stop working and it can no longer receive shares. */
export const DELETE = sandboxAdminRoute<{ id: string }>(async ({ params, db }) => {
  if (!isUuid(params.id) || !(await deleteApplication(db, params.id.toLowerCase()))) {
    return drf(404, { detail: "Not found." });
  }
  return drf(204);
});

export const GET = methodNotAllowed;
export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
export const PATCH = methodNotAllowed;
