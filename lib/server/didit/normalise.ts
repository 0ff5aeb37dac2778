import "server-only";
import {
  KYB_FEATURE_KEYS,
  KYC_FEATURE_KEYS_RECIPE,
  KYC_FEATURE_KEYS_SPEC,
  SESSION_STATUSES,
  type SessionKind,
  type SessionListKind,
  type SessionStatus,
} from "@/lib/server/didit-wire";

/**
 * The two dialects of Didit (didit-api.md §7) made one: statuses read case-insensitively with `_`
 * as a space and always handed on in Title Case; KYC feature arrays under the recipe's key names.
 */

const BY_KEY = new Map<string, SessionStatus>(SESSION_STATUSES.map((s) => [s.toLowerCase(), s]));

/** `IN_REVIEW`, `in review`, `In Review` → `In Review`; null for a status Handoff does not know. */
export function normaliseStatus(input: unknown): SessionStatus | null {
  if (typeof input !== "string") return null;
  const key = input.trim().replace(/_/g, " ").replace(/\s+/g, " ").toLowerCase();
  return BY_KEY.get(key) ?? null;
}

/** `In Review` → `IN_REVIEW` (the recipe's KYB spelling). */
export function upperSnake(status: SessionStatus): string {
  return status.toUpperCase().replace(/ /g, "_");
}

/**
 * The `status` filter of `GET /v3/sessions/`: exact strings, comma-separated, OR'd. KYC statuses are
 * Title Case everywhere; KYB ones are Title Case in the published spec and UPPER_SNAKE in the
 * recipe, so a list that may hold KYB rows asks for both spellings (each matches only its dialect).
 */
export function statusFilter(statuses: readonly SessionStatus[], kind: SessionListKind | undefined): string {
  const out: string[] = [];
  for (const s of statuses) {
    if (!out.includes(s)) out.push(s);
    if (kind === "business" || kind === "all") {
      const snake = upperSnake(s);
      if (!out.includes(snake)) out.push(snake);
    }
  }
  return out.join(",");
}

/** Published-spec KYC key names → the recipe's (`poa_verifications` → `proof_of_address`, …). */
export const SPEC_TO_RECIPE_KEYS: Readonly<Record<string, string>> = Object.fromEntries(
  KYC_FEATURE_KEYS_SPEC.map((k, i) => [k, KYC_FEATURE_KEYS_RECIPE[i]!]).filter(([a, b]) => a !== b),
);

/** The feature arrays of a kind under the recipe's names, in Didit's order. */
export function featureKeysOf(kind: SessionKind): readonly string[] {
  return kind === "business" ? KYB_FEATURE_KEYS : KYC_FEATURE_KEYS_RECIPE;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The feature arrays of a decision or import body, keyed by the recipe's names: every array of the
 * kind is present (empty when Didit sent none); elements are kept as Didit sent them (objects only).
 */
export function featureData(
  kind: SessionKind,
  body: Record<string, unknown>,
): Record<string, Record<string, unknown>[]> {
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const key of featureKeysOf(kind)) out[key] = [];
  for (const [wireKey, value] of Object.entries(body)) {
    const key = kind === "user" ? (SPEC_TO_RECIPE_KEYS[wireKey] ?? wireKey) : wireKey;
    if (!(key in out) || !Array.isArray(value)) continue;
    // A body with both spellings (never seen) keeps the recipe's.
    if (key !== wireKey && Array.isArray(body[key])) continue;
    out[key] = value.filter(isRecord);
  }
  return out;
}
