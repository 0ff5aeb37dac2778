import { z } from "zod";
import type { SessionKind } from "./partners";

/**
 * Imports (we are Service Y): the request an officer sends to import a received token, and the
 * import as the console shows it. Everything here is safe to show: the token itself is never in a
 * DTO (it stays sealed on the inbox item until Didit redeems it).
 */

export const IMPORT_STATES = ["importing", "imported", "failed"] as const;
export type ImportStateDto = (typeof IMPORT_STATES)[number];

export const IMPORT_STATE_LABELS: Record<ImportStateDto, string> = {
  importing: "Importing",
  imported: "Imported",
  failed: "Failed",
};

/** Didit's sandbox accepts up to 1000 characters; ours stay well below. */
export const VENDOR_DATA_MAX = 500;

export const createImportRequestSchema = z
  .object({
    /** true: the clone keeps the source's decision; false: it lands In Review. Default: the partner's policy. */
    trustReview: z
      .boolean({
        message: "Say whether the clone keeps the partner's decision (trust their review): true or false",
      })
      .optional(),
    /** A workflow of our application of the token's kind. Default: the partner's, else the application's. */
    workflowId: z
      .uuid({
        message:
          "This is not a workflow: choose one of the application's workflows, or enter a workflow ID as the Didit console shows it",
      })
      .optional(),
    /** Our id for the person or company. Default: the partner's template, else `handoff-<item id>`. */
    vendorData: z
      .string({ message: "The vendor_data reference must be text" })
      .trim()
      .min(1, "The vendor_data reference cannot be blank: leave it out to use the partner's template")
      .max(VENDOR_DATA_MAX, `Use at most ${VENDOR_DATA_MAX} characters`)
      .refine(
        (v) => !/[\u0000-\u001f\u007f]/.test(v),
        "The vendor_data reference cannot contain control characters",
      )
      .optional(),
  })
  .strict();
export type CreateImportRequest = z.infer<typeof createImportRequestSchema>;

export type ImportDto = {
  id: string;
  inboxItemId: string;
  /** Our connected application (row id) the clone lives in. */
  applicationId: string;
  applicationName: string;
  partnerId: string;
  partnerName: string;
  /** The sender's share id from the delivery. */
  senderShareId: string | null;
  /** The partner's source session (the token's `session_id`). */
  sourceSessionId: string;
  sessionKind: SessionKind;
  /** The clone at Didit (null until imported). */
  cloneSessionId: string | null;
  cloneSessionNumber: number | null;
  /** As Didit reported it on the clone (the source session id). */
  sharedFromSession: string | null;
  trustReview: boolean;
  workflowId: string;
  vendorData: string;
  /** The clone's status when imported (Title Case), null until imported. */
  statusAtImport: string | null;
  state: ImportStateDto;
  failureCode: string | null;
  failureReason: string | null;
  /** After a failure: the token is still unredeemed, so the item may be imported again. */
  retryable: boolean;
  attempts: number;
  /** The officer who imported, or null when the partner's policy did (`importedByPolicy`). */
  importedBy: { id: string; name: string; email: string } | null;
  importedByPolicy: "auto" | null;
  /** The clone was found by its vendor_data after Didit's answer was lost. */
  reconciled: boolean;
  startedAt: string;
  finishedAt: string | null;
  createdAt: string;
};
