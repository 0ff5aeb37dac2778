import "server-only";
import { isUuid, type FieldErrors } from "./errors";

/**
 * DRF serializer-field behaviour for request bodies, with DRF's exact messages. Each reader records
 * its error in `errors` and returns undefined, so one response lists every bad field, as DRF does.
 */

export const REQUIRED = "This field is required.";
export const NOT_NULL = "This field may not be null.";

export const NULL_CHARACTERS = "Null characters are not allowed.";
export const NOT_A_STRING = "Not a valid string.";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * What PostgreSQL cannot store in text or jsonb: NUL (DRF's ProhibitNullCharactersValidator answers
 * it with its own message) and lone UTF-16 surrogates (not Unicode text at all). Null when fine.
 */
export function textProblem(value: string): string | null {
  if (value.includes("\0")) return NULL_CHARACTERS;
  if (LONE_SURROGATE.test(value)) return NOT_A_STRING;
  return null;
}

type Opts = { required?: boolean; allowNull?: boolean };

function missing(body: Record<string, unknown>, field: string, errors: FieldErrors, opts: Opts): boolean {
  const value = body[field];
  if (value === undefined) {
    if (opts.required) errors[field] = [REQUIRED];
    return true;
  }
  if (value === null) {
    if (!opts.allowNull) errors[field] = [NOT_NULL];
    return true;
  }
  return false;
}

export function readString(
  body: Record<string, unknown>,
  field: string,
  errors: FieldErrors,
  opts: Opts & { allowBlank?: boolean; maxLength?: number } = {},
): string | undefined {
  if (missing(body, field, errors, opts)) return undefined;
  const value = body[field];
  if (typeof value !== "string") {
    errors[field] = [NOT_A_STRING];
    return undefined;
  }
  const problem = textProblem(value);
  if (problem) {
    errors[field] = [problem];
    return undefined;
  }
  if (!opts.allowBlank && value.trim() === "") {
    errors[field] = ["This field may not be blank."];
    return undefined;
  }
  if (opts.maxLength !== undefined && value.length > opts.maxLength) {
    errors[field] = [`Ensure this field has no more than ${opts.maxLength} characters.`];
    return undefined;
  }
  return value;
}

/** A uuid, answered in canonical lower case. */
export function readUuid(
  body: Record<string, unknown>,
  field: string,
  errors: FieldErrors,
  opts: Opts = {},
): string | undefined {
  if (missing(body, field, errors, opts)) return undefined;
  const value = body[field];
  if (!isUuid(value)) {
    errors[field] = ["Must be a valid UUID."];
    return undefined;
  }
  return value.toLowerCase();
}

/** A JSON integer only: strings, booleans and fractions are refused (stricter than DRF, as Didit). */
export function readInteger(
  body: Record<string, unknown>,
  field: string,
  errors: FieldErrors,
  opts: Opts & { min?: number; max?: number } = {},
): number | undefined {
  if (missing(body, field, errors, opts)) return undefined;
  const value = body[field];
  if (typeof value !== "number" || !Number.isInteger(value)) {
    errors[field] = ["A valid integer is required."];
    return undefined;
  }
  if (opts.min !== undefined && value < opts.min) {
    errors[field] = [`Ensure this value is greater than or equal to ${opts.min}.`];
    return undefined;
  }
  if (opts.max !== undefined && value > opts.max) {
    errors[field] = [`Ensure this value is less than or equal to ${opts.max}.`];
    return undefined;
  }
  return value;
}

export function readBoolean(
  body: Record<string, unknown>,
  field: string,
  errors: FieldErrors,
  opts: Opts = {},
): boolean | undefined {
  if (missing(body, field, errors, opts)) return undefined;
  const value = body[field];
  if (typeof value !== "boolean") {
    errors[field] = ["Must be a valid boolean."];
    return undefined;
  }
  return value;
}
