import { drf, methodNotAllowed, readSandboxJson, sandboxAdminRoute } from "@/lib/server/sandbox/http";
import { adminCreateApiKey } from "@/lib/server/sandbox/admin";
import { isUuid } from "@/lib/server/sandbox/errors";

/** A further API key with the given privileges (e.g. read-only), shown once. */
export const POST = sandboxAdminRoute<{ id: string }>(async ({ req, params, db }) => {
  if (!isUuid(params.id)) return drf(404, { detail: "Not found." });
  return drf(201, await adminCreateApiKey(db, params.id.toLowerCase(), await readSandboxJson(req)));
});

export const GET = methodNotAllowed;
export const PUT = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const DELETE = methodNotAllowed;
