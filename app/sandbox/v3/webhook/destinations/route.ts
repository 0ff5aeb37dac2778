import { drf, methodNotAllowed, readSandboxJson, sandboxRoute } from "@/lib/server/sandbox/http";
import { createDestination, listDestinations } from "@/lib/server/sandbox/webhook-destinations";

/** GET: the application's destinations (a bare array, oldest first, no secrets). POST: create → 201 with the secret. */
export const GET = sandboxRoute({ privilege: "read:sessions", rate: "read" }, async ({ app, db }) =>
  drf(200, await listDestinations(db, app.id)),
);

export const POST = sandboxRoute(
  { privilege: "write:sessions", rate: "write" },
  async ({ req, app, db, now }) =>
    drf(201, await createDestination(db, app.id, await readSandboxJson(req), now)),
);

export const PUT = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const DELETE = methodNotAllowed;
