import { drf, methodNotAllowed, readSandboxJson, sandboxRoute } from "@/lib/server/sandbox/http";
import {
  deleteDestination,
  getDestination,
  updateDestination,
} from "@/lib/server/sandbox/webhook-destinations";

type Params = { uuid: string };
const opts = { uuidParams: ["uuid" as const] };

/** One destination of the caller's application; another application's is a 404, like a missing one. */
export const GET = sandboxRoute<Params>(
  { ...opts, privilege: "read:sessions", rate: "read" },
  async ({ app, db, params }) => drf(200, await getDestination(db, app.id, params.uuid)),
);

export const PATCH = sandboxRoute<Params>(
  { ...opts, privilege: "write:sessions", rate: "write" },
  async ({ req, app, db, params, now }) =>
    drf(200, await updateDestination(db, app.id, params.uuid, await readSandboxJson(req), now)),
);

export const DELETE = sandboxRoute<Params>(
  { ...opts, privilege: "write:sessions", rate: "write" },
  async ({ app, db, params }) => {
    await deleteDestination(db, app.id, params.uuid);
    return drf(204);
  },
);

export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
