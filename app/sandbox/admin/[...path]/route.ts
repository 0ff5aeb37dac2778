import { sandboxNotFound } from "@/lib/server/sandbox/http";

/** Any other admin path: a JSON 404. */
export const GET = sandboxNotFound;
export const POST = sandboxNotFound;
export const PUT = sandboxNotFound;
export const PATCH = sandboxNotFound;
export const DELETE = sandboxNotFound;
