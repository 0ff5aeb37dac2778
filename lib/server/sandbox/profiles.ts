import "server-only";

import type { DrfErrorBody } from "@/lib/server/didit-wire";
import type { SandboxProfile } from "@/lib/server/sandbox/types";

/**
 * Profile differences that are not rendering (didit-api.md §7): the share success status, the
 * import error table of §4, and what the duplicate-import rule is keyed on.
 */

export type ImportErrorKind =
  | "invalid_token"
  | "expired"
  | "wrong_application"
  | "already_imported"
  | "source_deleted"
  | "workflow_not_found";

export type ProfileError = { status: number; body: DrfErrorBody };

/** `POST /v3/session/{id}/share/` answers 201 in the recipe, 200 in the published spec. */
export function shareSuccessStatus(profile: SandboxProfile): 200 | 201 {
  return profile === "recipe" ? 201 : 200;
}

const RECIPE_IMPORT_ERRORS: Record<ImportErrorKind, ProfileError> = {
  invalid_token: { status: 401, body: { detail: "Invalid share token." } },
  expired: { status: 401, body: { detail: "Share token has expired." } },
  wrong_application: { status: 403, body: { detail: "This token is not valid for this application." } },
  already_imported: {
    status: 403,
    body: { detail: "This session has already been shared with your application." },
  },
  source_deleted: { status: 404, body: { detail: "Original session does not exist." } },
  workflow_not_found: { status: 404, body: { detail: "Workflow does not exist for this application." } },
};

const SPEC_IMPORT_ERRORS: Record<ImportErrorKind, ProfileError> = {
  invalid_token: { status: 400, body: { share_token: ["Invalid share token."] } },
  expired: { status: 400, body: { share_token: ["Share token has expired."] } },
  wrong_application: {
    status: 400,
    body: { share_token: ["This token is not valid for this application."] },
  },
  already_imported: {
    status: 403,
    body: { detail: "This session has already been shared with your application." },
  },
  source_deleted: { status: 400, body: { share_token: ["Original session does not exist."] } },
  workflow_not_found: { status: 404, body: { detail: "Workflow does not exist for this application." } },
};

/** The error of `POST /v3/session/import-shared/` for a case of the §4 table. Returns a fresh body. */
export function importError(profile: SandboxProfile, kind: ImportErrorKind): ProfileError {
  const entry = (profile === "recipe" ? RECIPE_IMPORT_ERRORS : SPEC_IMPORT_ERRORS)[kind];
  return { status: entry.status, body: structuredClone(entry.body) };
}

/** Recipe: one import per (share token, application); spec: one per (source session, application). */
export function duplicateKey(profile: SandboxProfile): "token" | "source_session" {
  return profile === "recipe" ? "token" : "source_session";
}
