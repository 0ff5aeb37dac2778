import "server-only";
import type { CloneViewDto } from "@/lib/schemas/reviews";
import type { DiditDecision } from "@/lib/server/didit/types";

/**
 * Didit's decision as the review page shows it. Every URL Didit gave us is rewritten to our media
 * route (`/api/imports/{id}/media/{ref}`, `ref` naming the field's JSON path), which fetches only a
 * URL found at that path of the clone's decision: no Didit URL (often presigned) reaches the page.
 */

// --- Media references ----------------------------------------------------------------------------

/** One step of a JSON path into a decision's feature data. */
export type MediaPath = (string | number)[];

const MAX_REF_LENGTH = 1024;
const MAX_PATH_DEPTH = 12;

export function isHttpUrl(value: string): boolean {
  if (!/^https?:\/\//i.test(value)) return false;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

export function encodeMediaRef(path: MediaPath): string {
  return Buffer.from(JSON.stringify(path), "utf8").toString("base64url");
}

/** The JSON path a ref names, or null when it is not one we could have written. */
export function decodeMediaRef(ref: string): MediaPath | null {
  if (ref.length === 0 || ref.length > MAX_REF_LENGTH || !/^[A-Za-z0-9_-]+$/.test(ref)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(ref, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length < 3 || parsed.length > MAX_PATH_DEPTH) return null;
  const [feature, index] = parsed;
  if (typeof feature !== "string" || typeof index !== "number") return null;
  for (const step of parsed) {
    const ok =
      (typeof step === "string" && step.length > 0 && step.length <= 200) ||
      (typeof step === "number" && Number.isSafeInteger(step) && step >= 0);
    if (!ok) return null;
  }
  // The ref must be canonical: one spelling per path.
  if (encodeMediaRef(parsed as MediaPath) !== ref) return null;
  return parsed as MediaPath;
}

export function mediaRoute(importId: string, path: MediaPath): string {
  return `/api/imports/${importId}/media/${encodeMediaRef(path)}`;
}

/** The URL string at `path` of a decision's feature data (own properties only), or null. */
export function urlAt(featureData: DiditDecision["featureData"], path: MediaPath): string | null {
  let node: unknown = featureData;
  for (const step of path) {
    if (typeof step === "number") {
      if (!Array.isArray(node) || step >= node.length) return null;
      node = node[step];
    } else {
      if (node === null || typeof node !== "object" || Array.isArray(node) || !Object.hasOwn(node, step)) {
        return null;
      }
      node = (node as Record<string, unknown>)[step];
    }
  }
  return typeof node === "string" && isHttpUrl(node) ? node : null;
}

/** A deep copy with every http(s) URL string replaced by our media route for its path. */
function rewriteMedia(value: unknown, importId: string, path: MediaPath): unknown {
  if (typeof value === "string") return isHttpUrl(value) ? mediaRoute(importId, path) : value;
  if (Array.isArray(value)) return value.map((v, i) => rewriteMedia(v, importId, [...path, i]));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = rewriteMedia(v, importId, [...path, k]);
    return out;
  }
  return value;
}

// --- Decision → DTO ------------------------------------------------------------------------------

function isoOrNull(value: string | null): string | null {
  if (value === null) return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? value : new Date(t).toISOString();
}

/** Didit's decision as the page shows it; `importId` set: media URLs go through our route. */
export function toCloneView(decision: DiditDecision, importId: string | null): CloneViewDto {
  const featureData: Record<string, Record<string, unknown>[]> = {};
  for (const [key, items] of Object.entries(decision.featureData)) {
    featureData[key] = items.map((item, i) =>
      importId === null
        ? stripUrls(item)
        : (rewriteMedia(item, importId, [key, i]) as Record<string, unknown>),
    );
  }
  return {
    sessionId: decision.sessionId,
    sessionNumber: decision.sessionNumber,
    sessionKind: decision.sessionKind,
    status: decision.status,
    vendorData: decision.vendorData,
    workflowId: decision.workflowId,
    createdAt: decision.createdAt.toISOString(),
    sharedFromSession: decision.sharedFromSession,
    reviews: decision.reviews.map((r) => ({
      user: r.user,
      newStatus: r.newStatus,
      comment: r.comment,
      createdAt: isoOrNull(r.createdAt),
    })),
    featureData,
  };
}

/**
 * The source side's media are not ours to serve (the media route reads the clone only): its URLs
 * are dropped (null), so no presigned URL of the sister application reaches the page either.
 */
function stripUrls<T>(value: T): T {
  if (typeof value === "string") return (isHttpUrl(value) ? null : value) as T;
  if (Array.isArray(value)) return value.map(stripUrls) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = stripUrls(v);
    return out as T;
  }
  return value;
}
