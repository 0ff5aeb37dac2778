/**
 * Error codes of the JSON error envelope, and their HTTP status. A plain module: the server's
 * AppError (lib/server/kernel) and the browser's handling of an answer read the same table.
 */
/**
 * The one table from error code to HTTP status. Signed senders (partners, Didit) get 401
 * `invalid_signature` for every verification failure, an unknown sender included, so the answer
 * never says which check failed; an already accepted message id is 409 `replayed` (a conflict
 * with state, not a credential problem: the sender can tell "already have it" from "bad key").
 */
export const ERROR_STATUS = {
  bad_request: 400,
  malformed_json: 400,
  unauthenticated: 401,
  invalid_signature: 401,
  forbidden: 403,
  cross_origin_refused: 403,
  password_change_required: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  replayed: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  rate_limited: 429,
  // Idempotency-Key (lib/server/http/idempotency.ts): the key names another request; its first
  // request is still running.
  idempotency_key_reused: 422,
  idempotency_in_progress: 409,
  // Share policy (partner directory): a refusal by our own rules, before Didit is called.
  partner_suspended: 409,
  partner_agreement_expired: 409,
  partner_agreement_missing: 409,
  partner_not_outbound: 409,
  partner_not_inbound: 409,
  kind_not_allowed: 409,
  status_not_allowed: 409,
  ttl_above_partner_max: 409,
  partner_not_for_application: 409,
  // Didit's refusals, recognised by status and body (lib/server/didit/errors.ts).
  token_expired: 422,
  token_invalid: 422,
  token_not_for_us: 422,
  already_imported: 409,
  source_deleted: 409,
  workflow_not_found: 422,
  session_not_finished: 409,
  unknown_target_application: 422,
  same_application: 422,
  ttl_out_of_range: 422,
  key_rejected: 502,
  internal_error: 500,
  upstream_error: 502,
  upstream_unavailable: 503,
  upstream_timeout: 504,
  // The partner inbox: a received token's readable claims do not fit the delivery (nothing stored).
  token_from_other_partner: 422,
  token_from_unknown_partner: 422,
  token_claims_mismatch: 422,
  // Reviews: the proposer cannot confirm their own four-eyes proposal; the clone is no longer In
  // Review; a decision sent to Didit is not confirmed yet.
  own_proposal: 403,
  not_in_review: 409,
  decision_pending: 409,
  session_deleted: 409,
  // Recalls: a partner's recall names another sender's application, or an application not ours.
  recall_from_other_partner: 422,
  recall_not_for_us: 422,
  // Withdrawals: the sender withdrew this token (it cannot be imported); a share withdrawn already.
  share_withdrawn: 409,
  already_withdrawn: 409,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** Whether an answer's `error.code` is one of ours (for the browser reading an unknown body). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(ERROR_STATUS, value);
}
