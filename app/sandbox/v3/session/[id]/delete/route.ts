import { drf, methodNotAllowed, sandboxRoute } from "@/lib/server/sandbox/http";
import { deleteSession } from "@/lib/server/sandbox/sessions";

/** DELETE /v3/session/{id}/delete/ — gone for good: decision 404s and minted tokens stop importing. */
export const DELETE = sandboxRoute<{ id: string }>(
  { privilege: "delete:sessions", rate: "write", uuidParams: ["id"] },
  async ({ app, params, db }) => {
    await deleteSession(db, app, params.id);
    return drf(204);
  },
);

export const GET = methodNotAllowed;
export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
export const PATCH = methodNotAllowed;
