import "server-only";
import type { z } from "zod";
import { AppError } from "./errors";

/** Console JSON is small; partners and Didit send well under this too. Routes may lower or raise it. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

type FieldDetails = { fields: Record<string, string[]>; form?: string[] };

/**
 * The request body as raw bytes, read once. Refuses (413) a declared or actual length above `limit`
 * without buffering more than `limit` bytes.
 */
export async function readRawBody(req: Request, limit = DEFAULT_MAX_BODY_BYTES): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function tooLarge(limit: number): AppError {
  return new AppError(
    "payload_too_large",
    `The request body is larger than ${Math.floor(limit / 1024)} KiB.`,
  );
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Strict UTF-8: a body with invalid byte sequences is refused, not silently repaired. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new AppError("malformed_json", "The request body is not valid UTF-8 JSON.");
  }
}

/** Unparseable → 400 `malformed_json`. */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError("malformed_json", "The request body is not valid JSON.");
  }
}

const NUL_MESSAGE = "Must not contain a NUL character (\\u0000)";

/**
 * Every place in a parsed value where a string or object key holds U+0000, which PostgreSQL
 * cannot store in text or jsonb. Paths are dot-joined like zod's (`items.0.name`). Iterative: a
 * 1 MiB body can nest half a million levels deep.
 */
export function nulFields(value: unknown): string[] {
  return unstorableFields(value, (text) => text.includes("\u0000"));
}

// A UTF-16 surrogate without its pair: no UTF-8 encoding exists, so PostgreSQL would be sent U+FFFD.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATE_MESSAGE = "Contains an invalid character (a lone UTF-16 surrogate)";

/** Paths of strings (or keys) holding a lone surrogate: stored, they would silently change. */
export function loneSurrogateFields(value: unknown): string[] {
  return unstorableFields(value, (text) => LONE_SURROGATE.test(text));
}

function unstorableFields(value: unknown, bad: (text: string) => boolean): string[] {
  type Path = { key: string | number; parent: Path } | null; // shared tails: deep input stays linear
  const join = (path: Path): string => {
    const keys: (string | number)[] = [];
    for (let p = path; p; p = p.parent) keys.push(p.key);
    return keys.reverse().join(".");
  };
  const found: string[] = [];
  const stack: [unknown, Path][] = [[value, null]];
  while (stack.length > 0) {
    const [item, path] = stack.pop()!;
    if (typeof item === "string") {
      if (bad(item)) found.push(join(path));
    } else if (item !== null && typeof item === "object") {
      const entries: [string | number, unknown][] = Array.isArray(item)
        ? item.map((v, i) => [i, v])
        : Object.entries(item);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]!;
        // A NUL in a key is reported at the key's own path (its value is not looked into).
        const badKey = typeof key === "string" && bad(key);
        stack.push([badKey ? key : child, { key, parent: path }]);
      }
    }
  }
  return found;
}

/** 422 naming every field PostgreSQL cannot store as given (NUL, lone surrogates): once for all input, before any schema sees it. */
export function refuseNul(value: unknown): void {
  const found: [string, string][] = [
    ...nulFields(value).map((path): [string, string] => [path, NUL_MESSAGE]),
    ...loneSurrogateFields(value).map((path): [string, string] => [path, LONE_SURROGATE_MESSAGE]),
  ];
  if (found.length === 0) return;
  // No prototype: a field named `__proto__` (a query key, a JSON key) is a field like any other.
  const fields: Record<string, string[]> = Object.create(null);
  const form: string[] = [];
  for (const [path, message] of found) {
    if (path) (fields[path] ??= []).push(message);
    else form.push(message);
  }
  throw new AppError("validation_failed", "Some fields are invalid.", {
    fields,
    ...(form.length ? { form } : {}),
  } satisfies FieldDetails);
}

export function zodDetails(error: z.ZodError): FieldDetails {
  const fields: Record<string, string[]> = Object.create(null);
  const form: string[] = [];
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".");
    if (!key) form.push(issue.message);
    else (fields[key] ??= []).push(issue.message);
  }
  return { fields, ...(form.length ? { form } : {}) };
}

/** NUL check, then the schema: invalid → 422 `validation_failed` with field details. */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  refuseNul(value);
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new AppError("validation_failed", "Some fields are invalid.", zodDetails(parsed.error));
  }
  return parsed.data;
}

/** The query string as a flat record; a repeated key keeps its last value. */
export function queryRecord(req: Request): Record<string, string> {
  return Object.fromEntries(new URL(req.url).searchParams.entries());
}
