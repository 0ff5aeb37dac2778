import "server-only";

/** The SQLSTATE of a database error, whichever driver raised it (drizzle wraps it in `cause`). */
export function sqlState(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export const isUniqueViolation = (error: unknown) => sqlState(error) === "23505";

/** What of an unknown error may be logged: never a failed query's parameters (they can hold secrets). */
export function loggableError(error: unknown): unknown {
  if (error && typeof error === "object" && "query" in error && "params" in error) {
    const cause = (error as { cause?: { message?: unknown } }).cause;
    return {
      type: "DrizzleQueryError",
      query: (error as { query: unknown }).query,
      cause: { message: cause?.message, code: sqlState(error) },
    };
  }
  return error;
}
