import { z } from "zod";
import { listCursorParam, optionalFilter } from "./common";

/**
 * Erasure of one session (`POST /api/erasure`, `GET /api/erasure[/{id}]`): an admin, with a reason,
 * removes the personal data Handoff holds of one session, optionally asks Didit to delete the
 * session, and recalls it from the partners it was shared with. Only ids and hashes stay.
 */

export const ERASURE_REASON_MIN = 10;
export const ERASURE_REASON_MAX = 2000;
export const ERASURE_LIST_LIMIT_DEFAULT = 50;
export const ERASURE_LIST_LIMIT_MAX = 100;

const sessionUuid = (what: string) =>
  z
    .string({ error: `${what} is required` })
    .trim()
    .toLowerCase()
    .pipe(z.uuid({ error: `${what} must be a session ID as the Didit console shows it (like 0b6a1e9e-…)` }));

export const createErasureRequestSchema = z
  .object({
    sessionId: sessionUuid("The session id"),
    /** Which of our applications, when the session is known to several. */
    applicationId: z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.uuid({ error: "Choose one of the connected applications" }))
      .optional(),
    reason: z
      .string({ error: "Give the reason for the erasure" })
      .trim()
      .min(ERASURE_REASON_MIN, `Give the reason in at least ${ERASURE_REASON_MIN} characters`)
      .max(ERASURE_REASON_MAX, `Use at most ${ERASURE_REASON_MAX} characters`)
      .refine((v) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v), {
        message: "The reason cannot contain control characters",
      }),
    deleteAtDidit: z.boolean({ error: "Say whether the session is deleted at Didit too: true or false" }),
    /** The session uuid typed a second time (a mismatch is refused with 400 by the service). */
    confirm: z.string({ error: "Type the session id again to confirm" }).trim().toLowerCase().max(100),
  })
  .strict();
export type CreateErasureRequest = z.input<typeof createErasureRequestSchema>;
export type CreateErasureInput = z.output<typeof createErasureRequestSchema>;

export const erasureListQuerySchema = z.object({
  sessionId: optionalFilter(z.uuid({ message: "Enter a whole session ID as the Didit console shows it" })),
  cursor: listCursorParam(),
  limit: z.coerce.number().int().min(1).max(ERASURE_LIST_LIMIT_MAX).default(ERASURE_LIST_LIMIT_DEFAULT),
});
export type ErasureListQuery = z.infer<typeof erasureListQuerySchema>;

export const ERASURE_STATE_VALUES = ["running", "done", "failed"] as const;
export type ErasureStateDto = (typeof ERASURE_STATE_VALUES)[number];

/** Didit's answer to the delete: deleted, already gone (not_found), not asked (skipped), or failed. */
export type ErasureDiditOutcome = "deleted" | "not_found" | "skipped" | "failed";

export type ErasureRequestDto = {
  id: string;
  applicationId: string;
  applicationName: string;
  sessionId: string;
  reason: string;
  deleteAtDidit: boolean;
  state: ErasureStateDto;
  diditOutcome: ErasureDiditOutcome | null;
  diditError: string | null;
  /** Rows scrubbed, revoked or destroyed, by table. */
  counts: Record<string, number>;
  /** SHA-256 (hex) over the removed personal fields (canonical JSON). */
  removedSha256: string | null;
  recallId: string | null;
  requestedBy: { id: string; name: string };
  requestedAt: string;
  finishedAt: string | null;
};

export type ErasureListResponse = { items: ErasureRequestDto[]; nextCursor: string | null };
