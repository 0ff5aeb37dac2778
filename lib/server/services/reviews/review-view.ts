import "server-only";
import type { CloneViewDto, ImportDetailDto, ReviewSideDto } from "@/lib/schemas/reviews";
import type { DiditCaller, DiditDecision } from "@/lib/server/didit/types";
import { loggableError } from "@/lib/server/db/errors";
import { AppError, assertCan, diditOf, type ServiceContext, type ServiceDeps } from "@/lib/server/kernel";
import { getLogger } from "@/lib/server/logger";
import { applicationRow, callerOf, sisterApplication } from "./callers";
import { toCloneView } from "./clone-view";
import { cachePut } from "./decision-cache";
import { diffDecisions } from "./review-diff";

/**
 * The review page's two sides: the clone as Didit holds it now (through our application's key) and,
 * when the source belongs to one of our own connected applications (a sister brand), the source's
 * current decision through that application's key with the differences. Media URLs go through our
 * media route (see clone-view.ts and media.ts).
 */

export type ReviewImportRef = {
  id: string;
  applicationId: string;
  cloneSessionId: string | null;
  sourceSessionId: string;
  fromApplicationId: string;
};

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

async function fetchDecision(
  deps: ServiceDeps,
  caller: DiditCaller,
  sessionId: string,
): Promise<{ ok: true; decision: DiditDecision } | { ok: false; error: unknown }> {
  try {
    return { ok: true, decision: await diditOf(deps).getDecision(caller, sessionId) };
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
  deps: ServiceDeps = {},
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
    imp.cloneSessionId && cloneCaller ? fetchDecision(deps, cloneCaller, imp.cloneSessionId) : null,
    sisterCaller ? fetchDecision(deps, sisterCaller, imp.sourceSessionId) : null,
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
