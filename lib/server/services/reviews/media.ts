import "server-only";
import { eq } from "drizzle-orm";
import { connectedApplications, imports } from "@/lib/server/db/schema";
import type { DiditClient, DiditDecision } from "@/lib/server/didit/types";
import { AppError, assertCan, diditOf, type ServiceContext, type ServiceDeps } from "@/lib/server/kernel";
import { diditBaseUrl } from "@/lib/server/listen-address";
import { APP_COLUMNS, callerOf } from "./callers";
import { decodeMediaRef, urlAt } from "./clone-view";
import { cacheGet, cachePut } from "./decision-cache";

/**
 * The media route (`GET /api/imports/{id}/media/{ref}`): one media file of an import's clone,
 * streamed from the URL Didit gave us at the path `ref` names, never a URL from anywhere else.
 */

export const MEDIA_TIMEOUT_MS = 10_000;
export const MEDIA_MAX_BYTES = 15 * 1024 * 1024;
export const MEDIA_MAX_REDIRECTS = 3;
export const MEDIA_TYPES = [
  "image/png",
  "image/jpeg",
  "image/webp",
  "image/gif",
  "video/mp4",
  "video/webm",
  "application/pdf",
] as const;

export type MediaOptions = {
  /**
   * Plain http is allowed only from this origin (else https only); default: the origin of the Didit
   * client's base URL (the decision's own origin), else of `diditBaseUrl()`.
   */
  diditOrigin?: string;
  timeoutMs?: number;
  maxBytes?: number;
};

const MEDIA_NOT_FOUND = "No such media file for this import.";
const MEDIA_UPSTREAM = "Didit did not serve this media file: try again in a moment.";

function mediaAllowed(url: URL, diditOrigin: string | null): boolean {
  if (url.username || url.password) return false;
  if (url.protocol === "https:") return true;
  return url.protocol === "http:" && diditOrigin !== null && url.origin === diditOrigin;
}

function originOf(base: string): string | null {
  try {
    return new URL(base).origin;
  } catch {
    return null;
  }
}

/** The clone's decision for the media route: the cache, else Didit through our key. */
async function cloneDecisionFor(
  ctx: ServiceContext,
  importId: string,
  didit: DiditClient,
): Promise<DiditDecision> {
  const [row] = await ctx.db
    .select({
      cloneSessionId: imports.cloneSessionId,
      app: APP_COLUMNS,
    })
    .from(imports)
    .innerJoin(connectedApplications, eq(connectedApplications.id, imports.applicationId))
    .where(eq(imports.id, importId))
    .limit(1);
  if (!row || !row.cloneSessionId) throw new AppError("not_found", MEDIA_NOT_FOUND);
  const caller = callerOf(row.app);
  if (!caller) throw new AppError("not_found", MEDIA_NOT_FOUND);
  const cached = cacheGet(importId, caller.id, row.cloneSessionId, Date.now());
  if (cached) return cached;
  const decision = await didit.getDecision(caller, row.cloneSessionId);
  cachePut(importId, { at: Date.now(), applicationId: caller.id, sessionId: row.cloneSessionId, decision });
  return decision;
}

/** Fetches `found`, following at most 3 redirects, each under the same rule (https, or Didit's origin). */
async function fetchUpstream(
  found: string,
  diditOrigin: string | null,
  signal: AbortSignal,
): Promise<Response> {
  let url = new URL(found);
  try {
    for (let hop = 0; ; hop++) {
      if (!mediaAllowed(url, diditOrigin)) throw new AppError("upstream_error", MEDIA_UPSTREAM);
      const res = await fetch(url, {
        redirect: "manual",
        signal,
        headers: { accept: MEDIA_TYPES.join(", ") },
      });
      if (res.status >= 300 && res.status < 400 && res.headers.has("location")) {
        await res.body?.cancel();
        if (hop >= MEDIA_MAX_REDIRECTS) throw new AppError("upstream_error", MEDIA_UPSTREAM);
        url = new URL(res.headers.get("location") as string, url);
        continue;
      }
      return res;
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (signal.aborted)
      throw new AppError("upstream_timeout", "Didit took too long to serve this media file: try again.");
    throw new AppError("upstream_error", MEDIA_UPSTREAM);
  }
}

/** Didit's answer as our response: only a media type the console shows, cut off past `maxBytes`. */
async function mediaResponse(upstream: Response, maxBytes: number): Promise<Response> {
  const fail = async (code: "upstream_error" | "not_found", message: string): Promise<never> => {
    await upstream.body?.cancel().catch(() => undefined);
    throw new AppError(code, message);
  };
  if (upstream.status === 404 || upstream.status === 410) {
    return fail("not_found", "Didit no longer has this media file (it may have expired or been deleted).");
  }
  if (!upstream.ok || !upstream.body) return fail("upstream_error", MEDIA_UPSTREAM);
  const contentType = (upstream.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (!(MEDIA_TYPES as readonly string[]).includes(contentType)) {
    return fail("upstream_error", "Didit served this file in a format the console does not show.");
  }
  const declared = upstream.headers.get("content-length");
  const length = declared !== null && /^\d+$/.test(declared) ? Number(declared) : null;
  if (length !== null && length > maxBytes) {
    return fail("upstream_error", "This media file is larger than the console shows (15 MB).");
  }

  let seen = 0;
  const limited = upstream.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > maxBytes) controller.error(new Error("media file larger than allowed"));
        else controller.enqueue(chunk);
      },
    }),
  );
  const headers = new Headers({
    "content-type": contentType,
    "cache-control": "private, no-store",
    "x-content-type-options": "nosniff",
    "content-disposition": "inline",
    // A person's document or face: no other site may embed it, even where a cookie would go along.
    "cross-origin-resource-policy": "same-origin",
  });
  if (length !== null) headers.set("content-length", String(length));
  return new Response(limited, { status: 200, headers });
}

/**
 * One media file of an import's clone, streamed from the URL Didit gave us at the path `ref` names:
 * https (or the Didit base's own origin), at most 3 redirects under the same rule, 10 s, 15 MB, and
 * only images, videos and PDFs. Answers a Response for the route.
 */
export async function fetchReviewMedia(
  ctx: ServiceContext,
  importId: string,
  ref: string,
  options: MediaOptions = {},
  deps: ServiceDeps = {},
): Promise<Response> {
  assertCan(ctx, "inbox.read");
  const path = decodeMediaRef(ref);
  if (!path) throw new AppError("not_found", MEDIA_NOT_FOUND);
  const client = diditOf(deps);
  const decision = await cloneDecisionFor(ctx, importId, client);
  const found = urlAt(decision.featureData, path);
  if (!found) throw new AppError("not_found", MEDIA_NOT_FOUND);

  const diditOrigin = options.diditOrigin ?? originOf(client.baseUrl?.() ?? diditBaseUrl());
  const signal = AbortSignal.timeout(options.timeoutMs ?? MEDIA_TIMEOUT_MS);
  const upstream = await fetchUpstream(found, diditOrigin, signal);
  return mediaResponse(upstream, options.maxBytes ?? MEDIA_MAX_BYTES);
}
