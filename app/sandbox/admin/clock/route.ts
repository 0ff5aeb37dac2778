import { drf, methodNotAllowed, readSandboxJson, sandboxAdminRoute } from "@/lib/server/sandbox/http";
import { adminReadClock, adminSetClock } from "@/lib/server/sandbox/admin";

/** The sandbox clock (wall clock + offset) that token expiry is judged against. */
export const POST = sandboxAdminRoute(async ({ req, db }) =>
  drf(200, await adminSetClock(db, await readSandboxJson(req))),
);

export const GET = sandboxAdminRoute(async ({ db }) => drf(200, await adminReadClock(db)));

export const PUT = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const DELETE = methodNotAllowed;
