import { sandboxNotFound } from "@/lib/server/sandbox/http";

/**
 * Any /sandbox path no other route serves, e.g. the bare base URLs `/sandbox/v3/` and
 * `/sandbox/admin/`: Didit's JSON 404 rather than the console's HTML not-found page.
 */
export const GET = sandboxNotFound;
export const POST = sandboxNotFound;
export const PUT = sandboxNotFound;
export const PATCH = sandboxNotFound;
export const DELETE = sandboxNotFound;
