import "server-only";
import { and, eq, isNull, ne } from "drizzle-orm";
import type { CloneViewDto, ImportDetailDto, ReviewSideDto } from "@/lib/schemas/reviews";
import { connectedApplications, imports } from "@/lib/server/db/schema";
import { getDiditClient } from "@/lib/server/didit";
import type { DiditCaller, DiditDecision } from "@/lib/server/didit/types";
import { loggableError } from "@/lib/server/db/errors";
import { AppError, type ServiceContext, assertCan } from "@/lib/server/kernel";
import { diditBaseUrl } from "@/lib/server/listen-address";
import { getLogger } from "@/lib/server/logger";
import { diffDecisions } from "./review-diff";

/**
 * The review page's two sides: the clone as Didit holds it now (through our application's key) and,
 * when the source belongs to one of our own connected applications (a sister brand), the source's
 * current decision through that application's key with the differences. Every URL Didit gave us
 * is rewritten to our media route (`/api/imports/{id}/media/{ref}`, `ref` naming the field's JSON
 * path), which fetches only a URL found at that path of the clone's decision: no Didit URL (often
 * presigned) reaches the page, and the route cannot be made to fetch anything Didit did not give us.
 */

export type ReviewImportRef = {
  id: string;
  applicationId: string;
  cloneSessionId: string | null;
  sourceSessionId: string;
  fromApplicationId: string;
};

type ApplicationRow = { id: string; name: string; apiKeyCiphertext: string | null; deletedAt: Date | null };

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// --- Decisions cache (the media route: a page of ten images reads the decision once) -------------

/** How long a clone's decision is reused by the media route. */
export const DECISION_CACHE_TTL_MS = 30_000;
const DECISION_CACHE_MAX = 200;

type CacheEntry = { at: number; applicationId: string; sessionId: string; decision: DiditDecision };
const cacheStore = globalThis as unknown as { __handoffReviewDecisions?: Map<string, CacheEntry> };

function decisionCache(): Map<string, CacheEntry> {
  cacheStore.__handoffReviewDecisions ??= new Map();
  return cacheStore.__handoffReviewDecisions;
}

function cachePut(importId: string, entry: CacheEntry): void {
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

function cacheGet(importId: string, applicationId: string, sessionId: string, now: number) {
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

// --- Failures → what the officer reads ------------------------------------------------------------

type Side = "clone" | "source";

function unavailable(code: string, message: string): ReviewSideDto {
  return { available: false, code, message };
}

/** A Didit failure (never thrown to the page) as a code and a message saying what to do next. */
export function sideFailure(
  error: unknown,
  side: Side,
  applicationName: string,
  requestId: string,
): ReviewSideDto {
  const what = side === "clone" ? "The clone" : "The source session";
  if (!(error instanceof AppError)) {
    // Not Didit's refusal (a key that no longer decrypts, a bug): logged, and the other side still shown.
    getLogger().error({ err: loggableError(error), requestId, side }, "review side could not be read");
    return unavailable(
      "internal_error",
      `${what} could not be read: try again; if it keeps failing, report it with request id ${requestId}.`,
    );
  }
  switch (error.code) {
    case "not_found":
      return unavailable(
        "not_found",
        side === "clone"
          ? `The clone was deleted at Didit (${applicationName} no longer has this session): there is nothing left to review.`
          : `The source session was deleted at Didit (${applicationName} no longer has it): only the clone remains.`,
      );
    case "key_rejected":
      return unavailable(
        "key_rejected",
        `Didit refused ${applicationName}'s API key, so ${what.toLowerCase()} cannot be read: ask an admin to check this application's API key on /applications.`,
      );
    case "rate_limited":
      return unavailable(
        "rate_limited",
        `Didit is limiting ${applicationName}'s requests right now: ${what.toLowerCase()} will show again in a moment; reload the page.`,
      );
    case "upstream_unavailable":
    case "upstream_timeout":
      return unavailable(
        error.code,
        `Didit could not be reached, so ${what.toLowerCase()} cannot be shown right now: try again in a moment.`,
      );
    default:
      return unavailable(
        error.code,
        `Didit did not return ${what.toLowerCase()} (${error.code}): try again in a moment; if it keeps failing, report it.`,
      );
  }
}

function callerOf(app: ApplicationRow): DiditCaller | null {
  return app.deletedAt === null && app.apiKeyCiphertext
    ? { id: app.id, apiKeyCiphertext: app.apiKeyCiphertext }
    : null;
}

const APP_COLUMNS = {
  id: connectedApplications.id,
  name: connectedApplications.name,
  apiKeyCiphertext: connectedApplications.apiKeyCiphertext,
  deletedAt: connectedApplications.deletedAt,
} as const;

async function applicationRow(ctx: ServiceContext, id: string): Promise<ApplicationRow | null> {
  const [row] = await ctx.db
    .select(APP_COLUMNS)
    .from(connectedApplications)
    .where(eq(connectedApplications.id, id))
    .limit(1);
  return row ?? null;
}

/** One of our other (non-deleted) connected applications whose Didit uuid is `diditApplicationId`. */
async function sisterApplication(
  ctx: ServiceContext,
  diditApplicationId: string,
  ownApplicationId: string,
): Promise<ApplicationRow | null> {
  if (!UUID_RE.test(diditApplicationId)) return null;
  const [row] = await ctx.db
    .select(APP_COLUMNS)
    .from(connectedApplications)
    .where(
      and(
        eq(connectedApplications.diditApplicationId, diditApplicationId.toLowerCase()),
        isNull(connectedApplications.deletedAt),
        ne(connectedApplications.id, ownApplicationId),
      ),
    )
    .limit(1);
  return row ?? null;
}

async function fetchDecision(
  caller: DiditCaller,
  sessionId: string,
): Promise<{ ok: true; decision: DiditDecision } | { ok: false; error: unknown }> {
  try {
    return { ok: true, decision: await getDiditClient().getDecision(caller, sessionId) };
  } catch (error) {
    return { ok: false, error };
  }
}

// --- The page's sides -----------------------------------------------------------------------------

/**
 * The clone (through our application's key) and the source: a sister brand's current decision
 * through that application's key with the differences, else `{relation: "partner"}`. Didit
 * failures become `{available: false, code, message}`, never an exception.
 */
export async function loadReviewSides(
  ctx: ServiceContext,
  imp: ReviewImportRef,
): Promise<{ clone: ReviewSideDto; source: ImportDetailDto["source"] }> {
  assertCan(ctx, "inbox.read");
  const [app, sister] = await Promise.all([
    applicationRow(ctx, imp.applicationId),
    sisterApplication(ctx, imp.fromApplicationId, imp.applicationId),
  ]);
  const appName = app?.name ?? "This application";
  const cloneCaller = app ? callerOf(app) : null;
  const sisterCaller = sister ? callerOf(sister) : null;

  const [cloneResult, sourceResult] = await Promise.all([
    imp.cloneSessionId && cloneCaller ? fetchDecision(cloneCaller, imp.cloneSessionId) : null,
    sisterCaller ? fetchDecision(sisterCaller, imp.sourceSessionId) : null,
  ]);

  let clone: ReviewSideDto;
  let cloneView: CloneViewDto | null = null;
  if (!imp.cloneSessionId) {
    clone = unavailable(
      "not_imported",
      "This session has not been imported yet: the clone is shown here once its import has finished.",
    );
  } else if (!cloneCaller) {
    clone = unavailable(
      "application_removed",
      `${appName} was removed from this console (its API key is gone), so the clone cannot be read: an admin can connect the application again on /applications.`,
    );
  } else if (cloneResult && cloneResult.ok) {
    cachePut(imp.id, {
      at: Date.now(),
      applicationId: cloneCaller.id,
      sessionId: imp.cloneSessionId,
      decision: cloneResult.decision,
    });
    cloneView = toCloneView(cloneResult.decision, imp.id);
    clone = { available: true, decision: cloneView };
  } else {
    clone = sideFailure(cloneResult?.error, "clone", appName, ctx.requestId);
  }

  if (!sister || !sisterCaller || !sourceResult) return { clone, source: { relation: "partner" } };
  let side: ReviewSideDto;
  let differences: ReturnType<typeof diffDecisions> = [];
  if (sourceResult.ok) {
    const sourceView = toCloneView(sourceResult.decision, null);
    side = { available: true, decision: sourceView };
    if (cloneView) differences = diffDecisions(cloneView, sourceView, ctx.now());
  } else {
    side = sideFailure(sourceResult.error, "source", sister.name, ctx.requestId);
  }
  return {
    clone,
    source: { relation: "sister", applicationId: sister.id, applicationName: sister.name, side, differences },
  };
}

// --- Media ----------------------------------------------------------------------------------------

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
async function cloneDecisionFor(ctx: ServiceContext, importId: string): Promise<DiditDecision> {
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
  const decision = await getDiditClient().getDecision(caller, row.cloneSessionId);
  cachePut(importId, { at: Date.now(), applicationId: caller.id, sessionId: row.cloneSessionId, decision });
  return decision;
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
): Promise<Response> {
  assertCan(ctx, "inbox.read");
  const path = decodeMediaRef(ref);
  if (!path) throw new AppError("not_found", MEDIA_NOT_FOUND);
  const decision = await cloneDecisionFor(ctx, importId);
  const found = urlAt(decision.featureData, path);
  if (!found) throw new AppError("not_found", MEDIA_NOT_FOUND);

  const client = getDiditClient();
  const diditOrigin = options.diditOrigin ?? originOf(client.baseUrl?.() ?? diditBaseUrl());
  const maxBytes = options.maxBytes ?? MEDIA_MAX_BYTES;
  const signal = AbortSignal.timeout(options.timeoutMs ?? MEDIA_TIMEOUT_MS);

  let url = new URL(found);
  let upstream: Response | null = null;
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
      upstream = res;
      break;
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (signal.aborted)
      throw new AppError("upstream_timeout", "Didit took too long to serve this media file: try again.");
    throw new AppError("upstream_error", MEDIA_UPSTREAM);
  }

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
