import "server-only";
import { decodeJwt } from "jose";
import { AppError } from "@/lib/server/http/errors";

/**
 * Didit's refusals turned into our codes (lib/server/http/errors.ts), recognised by status AND
 * body, in both dialects (didit-api.md §3, §4, §7). Messages say what to do next. Didit's body is
 * read here and nowhere else, and never reaches a message, a detail or a log line.
 */

export const DIDIT_ERROR_CODES = [
  "token_expired",
  "token_invalid",
  "token_not_for_us",
  "already_imported",
  "source_deleted",
  "workflow_not_found",
  "session_not_finished",
  "unknown_target_application",
  "same_application",
  "ttl_out_of_range",
  "not_found",
  "conflict",
  "validation_failed",
  "key_rejected",
  "rate_limited",
  "upstream_error",
  "upstream_unavailable",
  "upstream_timeout",
] as const;
export type DiditErrorCode = (typeof DIDIT_ERROR_CODES)[number];

/** What the client was doing: decides how a status and body are read. */
export type DiditOperation =
  | "listSessions"
  | "getDecision"
  | "share"
  | "importShared"
  | "updateStatus"
  | "deleteSession"
  | "listWebhookDestinations"
  | "getWebhookDestination"
  | "createWebhookDestination"
  | "updateWebhookDestination"
  | "deleteWebhookDestination";

export type DiditErrorDetails = {
  /** Didit's HTTP status when it answered (never its body). */
  upstreamStatus?: number;
  /** rate_limited: when to try again. */
  retryAfterSeconds?: number;
  /** Attempts made (1 = not retried). */
  attempts?: number;
  /**
   * A write whose request may have reached Didit before the connection failed or timed out: it
   * may or may not have taken effect (an import: look for the clone by vendor_data).
   */
  outcomeUnknown?: boolean;
  /** validation_failed / conflict: the field Didit named (never its message). */
  field?: string;
};

/**
 * A refusal or failure of a Didit call. Carries our code, a message for the officer and a few
 * safe details; never the request (headers, key), the URL's query or Didit's body.
 */
export class DiditError extends AppError {
  declare readonly code: DiditErrorCode;
  declare readonly details: DiditErrorDetails | undefined;
  readonly operation: DiditOperation | undefined;

  constructor(
    code: DiditErrorCode,
    message: string,
    details?: DiditErrorDetails,
    operation?: DiditOperation,
  ) {
    super(code, message, details && Object.keys(details).length > 0 ? details : undefined);
    this.name = "DiditError";
    this.operation = operation;
  }

  /** Never the stack's request objects: only what is safe to log or show. */
  toJSON() {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}
// The production build minifies class names, so `instanceof DiditError` across Next's bundles (the
// client is one per process) matches on this prototype name instead (see AppError's brand).
Object.defineProperty(DiditError.prototype, "name", {
  value: "DiditError",
  writable: true,
  configurable: true,
});

const KEY_MESSAGE =
  "Didit refused this application's API key: an admin must check this application's API key on /applications.";

export const MESSAGES = {
  token_expired: "This share token has expired: ask the partner for a new token.",
  token_invalid:
    "Didit does not accept this share token (it is malformed or was not signed by Didit): check that it was copied whole, or ask the partner for a new token.",
  token_not_for_us:
    "This share token was minted for another Didit application: ask the partner to share the session with this application's id.",
  already_imported:
    "This session has already been imported into this application: look for the existing import instead of importing again.",
  source_deleted:
    "The shared session no longer exists at the partner (it was deleted): ask the partner to share a current session.",
  workflow_not_found:
    "Didit has no such workflow of this kind in this application: choose another workflow (an admin sets the default import workflows on /applications).",
  session_not_finished:
    'Only finished sessions ("Approved", "Declined", "In Review") can be shared: wait until this session is finished.',
  unknown_target_application:
    "Didit knows no application with this id: check the partner's Didit application id on /partners.",
  same_application:
    "A session cannot be shared with the application that owns it: check the partner's Didit application id on /partners.",
  ttl_out_of_range:
    "Didit accepts a token lifetime between 1 minute and 24 hours (60 to 86400 seconds): choose another lifetime.",
  not_found: "Didit has no such session in this application (it may have been deleted): refresh the list.",
  key_rejected: KEY_MESSAGE,
  upstream_error:
    "Didit refused the request and nothing was changed: try again; if it keeps failing, report it with this request id.",
  malformed:
    "Didit answered with something unexpected: try again in a moment; if it persists, check DIDIT_API_BASE_URL.",
} as const;

/** The codes a 4xx of share or import can become (each has its message above). */
type RefusalCode = Exclude<keyof typeof MESSAGES, "malformed">;

const DESTINATION_NOT_FOUND =
  "Didit has no such webhook destination for this application: reload the application's settings.";

/** Every text of a DRF error body with the field it belongs to (`detail` for the body as a whole). */
export function drfMessages(body: unknown): { field: string; text: string }[] {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return [];
  const out: { field: string; text: string }[] = [];
  for (const [field, value] of Object.entries(body as Record<string, unknown>)) {
    const list = Array.isArray(value) ? value : [value];
    for (const item of list) if (typeof item === "string") out.push({ field, text: item.toLowerCase() });
  }
  return out;
}

type TokenContext = { shareToken?: string; expectedApplicationId?: string; nowSeconds: number };

/** The token's claims read locally (not verified: only Didit can); null when it does not decode. */
function claimsOf(token: string | undefined): { exp?: number; for_application_id?: unknown } | null {
  if (!token) return null;
  try {
    return decodeJwt(token) as { exp?: number; for_application_id?: unknown };
  } catch {
    return null;
  }
}

function importRefusal(
  status: number,
  messages: { field: string; text: string }[],
  ctx: TokenContext,
): RefusalCode {
  const has = (re: RegExp, field?: string) =>
    messages.some((m) => (field === undefined || m.field === field) && re.test(m.text));
  // The body decides when it says something we know (both dialects word these the same).
  if (has(/expired/)) return "token_expired";
  if (has(/already (been )?(shared|imported)/)) return "already_imported";
  if (has(/not valid for this application|not intended for/)) return "token_not_for_us";
  if (has(/original session|source session/)) return "source_deleted";
  if (has(/workflow/) || messages.some((m) => m.field === "workflow_id")) return "workflow_not_found";
  if (has(/invalid share token|invalid token|malformed|signature/)) return "token_invalid";
  if (has(/permission|credentials|api key/)) return "key_rejected";
  if (messages.some((m) => m.field === "share_token")) return "token_invalid";

  // No body we recognise: the recipe's bare statuses, told apart by the token itself.
  const claims = claimsOf(ctx.shareToken);
  if (status === 401) {
    if (claims && typeof claims.exp === "number" && claims.exp <= ctx.nowSeconds) return "token_expired";
    return "token_invalid";
  }
  if (status === 403) {
    if (!claims) return "token_invalid";
    const target = typeof claims.for_application_id === "string" ? claims.for_application_id : null;
    if (ctx.expectedApplicationId && target) {
      return target.toLowerCase() === ctx.expectedApplicationId.toLowerCase()
        ? "already_imported"
        : "token_not_for_us";
    }
    return "token_not_for_us";
  }
  if (status === 404) return "source_deleted";
  if (status === 400) return "token_invalid";
  return "upstream_error";
}

function shareRefusal(status: number, messages: { field: string; text: string }[]): RefusalCode {
  if (status === 401 || status === 403) return "key_rejected";
  if (status === 404) return "not_found";
  const has = (re: RegExp) => messages.some((m) => re.test(m.text));
  if (has(/finished/)) return "session_not_finished";
  if (messages.some((m) => m.field === "ttl_in_seconds")) return "ttl_out_of_range";
  if (messages.some((m) => m.field === "for_application_id")) {
    return has(/same application/) ? "same_application" : "unknown_target_application";
  }
  return "upstream_error";
}

export type Refusal = { code: DiditErrorCode; message: string; field?: string };

/**
 * A 4xx answer (other than 429) of one operation → our code and message. `status` and `body` are
 * Didit's; the result carries neither.
 */
export function mapRefusal(
  operation: DiditOperation,
  status: number,
  body: unknown,
  ctx: TokenContext = { nowSeconds: Math.floor(Date.now() / 1000) },
): Refusal {
  const messages = drfMessages(body);
  if (operation === "importShared") {
    const code = importRefusal(status, messages, ctx);
    return { code, message: MESSAGES[code] };
  }
  if (operation === "share") {
    const code = shareRefusal(status, messages);
    return { code, message: MESSAGES[code] };
  }
  // Every other endpoint answers a missing, unknown or under-privileged key with 403 (401 is the
  // share endpoint's, but a proxy in front of Didit may answer 401 too).
  if (status === 401 || status === 403) return { code: "key_rejected", message: KEY_MESSAGE };
  const destination = operation.endsWith("WebhookDestination") || operation === "listWebhookDestinations";
  if (status === 404) {
    return { code: "not_found", message: destination ? DESTINATION_NOT_FOUND : MESSAGES.not_found };
  }
  const has = (re: RegExp) => messages.some((m) => re.test(m.text));
  if (operation === "updateStatus" && status === 400) {
    if (has(/same as the current status/)) {
      return {
        code: "conflict",
        message: "The session already has this status on Didit: nothing to change.",
      };
    }
    if (has(/cannot update the status/)) {
      return {
        code: "conflict",
        message:
          "Didit does not allow changing this session's status from its current status: reload the session.",
      };
    }
  }
  if (destination && status === 400) {
    const urlField = messages.some((m) => m.field === "url");
    if (urlField && has(/already exists/)) {
      return {
        code: "conflict",
        message:
          "This application already has a Didit webhook destination with this URL: use the existing one or remove it first.",
        field: "url",
      };
    }
    const field = messages.find((m) => m.field !== "detail" && m.field !== "non_field_errors")?.field;
    if (field) {
      return {
        code: "validation_failed",
        message:
          field === "url"
            ? "Didit refused the webhook URL: it must be an https:// address Didit can reach (set HANDOFF_PUBLIC_URL)."
            : "Didit refused the webhook destination's settings: check the URL and the subscribed events.",
        field,
      };
    }
  }
  return { code: "upstream_error", message: MESSAGES.upstream_error };
}
