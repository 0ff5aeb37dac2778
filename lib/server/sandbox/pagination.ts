import "server-only";
import type { ListEnvelope } from "@/lib/server/didit-wire";

/** DRF's LimitOffsetPagination, as Didit's session lists use it (didit-api.md §1). */
export type Page<T> = ListEnvelope<T>;

export const DEFAULT_LIMIT = 50;

/** DRF's `_positive_int`: a base-10 integer ≥ 0 (> 0 when strict), or null. */
export function positiveInt(value: string | null, strict: boolean): number | null {
  if (value === null || !/^\s*\+?\d+\s*$/.test(value)) return null;
  const n = Number(value.trim());
  if (!Number.isSafeInteger(n) || (strict && n === 0)) return null;
  return n;
}

/** `limit`/`offset` from a query: an invalid value falls back to the default, as in DRF. */
export function readPageParams(query: URLSearchParams, maxLimit: number): { limit: number; offset: number } {
  const limit = Math.min(positiveInt(query.get("limit"), true) ?? DEFAULT_LIMIT, maxLimit);
  return { limit, offset: positiveInt(query.get("offset"), false) ?? 0 };
}

/** DRF's replace_query_param / remove_query_param: the query re-encoded with its keys sorted. */
function pageUrl(base: URL, set: Record<string, number>, remove?: string): string {
  const entries = [...base.searchParams.entries()].filter(([k]) => !(k in set) && k !== remove);
  for (const [k, v] of Object.entries(set)) entries.push([k, String(v)]);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = new URLSearchParams(entries).toString();
  return `${base.origin}${base.pathname}${query ? `?${query}` : ""}`;
}

/**
 * The page envelope with absolute `next`/`previous` links. `pageBase` is the URL the client used
 * (its public origin, path and query).
 */
export function pageEnvelope<T>(
  pageBase: URL,
  total: number,
  { limit, offset }: { limit: number; offset: number },
  results: T[],
): Page<T> {
  const next = offset + limit >= total ? null : pageUrl(pageBase, { limit, offset: offset + limit });
  const previous =
    offset <= 0
      ? null
      : offset - limit <= 0
        ? pageUrl(pageBase, { limit }, "offset")
        : pageUrl(pageBase, { limit, offset: offset - limit });
  return { count: total, next, previous, results };
}

/** The request URL as the client saw it: the public origin with the request's path and query. */
export function publicUrl(requestUrl: string, origin: string): URL {
  const url = new URL(requestUrl);
  return new URL(`${origin}${url.pathname}${url.search}`);
}
