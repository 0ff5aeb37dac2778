import { drf, methodNotAllowed, sandboxAdminRoute } from "@/lib/server/sandbox/http";
import { listDeliveries } from "@/lib/server/sandbox/webhook-deliveries";

/** `GET /sandbox/admin/webhook-deliveries?application_id=…&limit=&offset=`: the delivery log, newest first. */
export const GET = sandboxAdminRoute(async ({ req, db, origin }) => {
  const url = new URL(req.url);
  return drf(200, await listDeliveries(db, new URL(url.pathname + url.search, origin)));
});

export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const DELETE = methodNotAllowed;
