import { drf, methodNotAllowed, readSandboxJson, sandboxAdminRoute } from "@/lib/server/sandbox/http";
import { adminCreateApplication } from "@/lib/server/sandbox/admin";
import { listApplications } from "@/lib/server/sandbox/applications";

/** POST: a new application with its key (shown once) and workflows. GET: the applications, no keys. */
export const POST = sandboxAdminRoute(async ({ req, db }) =>
  drf(201, await adminCreateApplication(db, await readSandboxJson(req))),
);

export const GET = sandboxAdminRoute(async ({ db }) => {
  const results = await listApplications(db);
  // The envelope of every sandbox list, unpaginated: an operator has a handful of applications.
  return drf(200, { count: results.length, next: null, previous: null, results });
});

export const PUT = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const DELETE = methodNotAllowed;
