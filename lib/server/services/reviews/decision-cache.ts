import "server-only";
import type { DiditDecision } from "@/lib/server/didit/types";

/**
 * The clones' decisions read from Didit, kept a short while in this process: the media route
 * reads the decision once for a page of ten images. Erasure forgets a session's entries.
 */

/** How long a clone's decision is reused by the media route. */
export const DECISION_CACHE_TTL_MS = 30_000;
const DECISION_CACHE_MAX = 200;

type CacheEntry = { at: number; applicationId: string; sessionId: string; decision: DiditDecision };
const cacheStore = globalThis as unknown as { __handoffReviewDecisions?: Map<string, CacheEntry> };

function decisionCache(): Map<string, CacheEntry> {
  cacheStore.__handoffReviewDecisions ??= new Map();
  return cacheStore.__handoffReviewDecisions;
}

export function cachePut(importId: string, entry: CacheEntry): void {
  const cache = decisionCache();
  cache.delete(importId);
  cache.set(importId, entry);
  // A Map iterates in insertion order: the first key is the least recently used.
  while (cache.size > DECISION_CACHE_MAX) {
    const oldest = cache.keys().next().value;
    if (oldest === undefined) break;
    cache.delete(oldest);
  }
}

export function cacheGet(importId: string, applicationId: string, sessionId: string, now: number) {
  const cache = decisionCache();
  const entry = cache.get(importId);
  if (!entry) return null;
  if (
    now - entry.at > DECISION_CACHE_TTL_MS ||
    entry.applicationId !== applicationId ||
    entry.sessionId !== sessionId
  ) {
    cache.delete(importId);
    return null;
  }
  cache.delete(importId);
  cache.set(importId, entry);
  return entry.decision;
}

/**
 * Erasure: forget the cached decisions of one Didit session (as a clone) or of one import, in this
 * process; answers how many were dropped. Other instances' entries expire within the TTL.
 */
export function invalidateReviewDecisions(match: { sessionId?: string; importId?: string }): number {
  const cache = decisionCache();
  let dropped = 0;
  for (const [importId, entry] of cache) {
    if (importId === match.importId || entry.sessionId === match.sessionId) {
      cache.delete(importId);
      dropped++;
    }
  }
  return dropped;
}

/** Tests and benchmarks: forget every cached decision. */
export function clearReviewDecisionCache(): void {
  decisionCache().clear();
}
