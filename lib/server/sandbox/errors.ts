import "server-only";
import type { DrfErrorBody, DrfFieldErrors } from "@/lib/server/didit-wire";

/** A DRF-style error: the exact status and JSON body Didit answers. Thrown by services, rendered by http.ts. */
export class DrfError extends Error {
  constructor(
    readonly status: number,
    readonly body: DrfErrorBody,
  ) {
    super(`sandbox error ${status}`);
    this.name = "DrfError";
  }
}

export type FieldErrors = DrfFieldErrors;

export const notFound = () => new DrfError(404, { detail: "Not found." });
export const fieldErrors = (errors: FieldErrors) => new DrfError(400, errors);
export const fieldError = (field: string, message: string) => new DrfError(400, { [field]: [message] });

export { isUuid, UUID_RE } from "@/lib/ids";
