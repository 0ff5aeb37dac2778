import type { FieldPath, FieldValues, UseFormSetError } from "react-hook-form";
import { ApiError } from "./api-fetch";

/**
 * Puts the server's field messages (a taken email, say) on the form's own fields, in the order of
 * `names`, and focuses the first. Answers how many fields got one (0: show the error elsewhere).
 */
export function showServerFieldErrors<T extends FieldValues>(
  setError: UseFormSetError<T>,
  error: unknown,
  names: readonly FieldPath<T>[],
): number {
  const fields = error instanceof ApiError ? error.fieldErrors : {};
  let shown = 0;
  for (const name of names) {
    const message = fields[name]?.[0];
    if (!message) continue;
    setError(name, { message }, { shouldFocus: shown === 0 });
    shown += 1;
  }
  return shown;
}
