import { drf, methodNotAllowed, readSandboxJson, sandboxAdminRoute } from "@/lib/server/sandbox/http";
import { adminCreateSession } from "@/lib/server/sandbox/admin";

/** Seeds a session with a synthetic, deterministic payload; answers its decision view. */
export const POST = sandboxAdminRoute(async ({ req, db, origin }) =>
  drf(201, await adminCreateSession(db, await readSandboxJson(req), origin)),
);

export const GET = methodNotAllowed;
export const PUT = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const DELETE = methodNotAllowed;
