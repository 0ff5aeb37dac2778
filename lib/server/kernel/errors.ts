import "server-only";
import { ERROR_STATUS, type ErrorCode } from "@/lib/error-codes";

export { ERROR_STATUS, type ErrorCode } from "@/lib/error-codes";

/**
 * Next bundles a module once per route and once for instrumentation, so an error thrown by a
 * process-wide singleton (the Didit client, built by whichever bundle came first) is an instance of
 * another bundle's AppError class. A brand in the global symbol registry makes `instanceof` hold
 * across those copies; for a subclass it also takes the same `name`.
 */
const APP_ERROR_BRAND = Symbol.for("handoff.AppError");

export class AppError extends Error {
  readonly [APP_ERROR_BRAND] = true;

  static [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (typeof value !== "object" || value === null) return false;
    if ((value as { [APP_ERROR_BRAND]?: unknown })[APP_ERROR_BRAND] !== true) return false;
    return (
      this === AppError ||
      (value as Error).name === this.prototype.name ||
      (value as Error).name === this.name
    );
  }

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "AppError";
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}
