import "server-only";
import type { ErrorCode } from "@/lib/error-codes";

// The table and AppError live in the kernel (services throw them); the HTTP layer re-exports them.
export { AppError, ERROR_STATUS, type ErrorCode } from "@/lib/server/kernel/errors";

export function errorBody(code: ErrorCode | string, message: string, requestId: string, details?: unknown) {
  return { error: { code, message, ...(details === undefined ? {} : { details }), requestId } };
}
