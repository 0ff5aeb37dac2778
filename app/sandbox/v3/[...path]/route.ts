import { sandboxNotFound } from "@/lib/server/sandbox/http";

/** Any other /sandbox/v3 path: Didit's JSON 404, never the HTML not-found page. */
export const GET = sandboxNotFound;
export const POST = sandboxNotFound;
export const PUT = sandboxNotFound;
export const PATCH = sandboxNotFound;
export const DELETE = sandboxNotFound;
