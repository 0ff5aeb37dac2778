import { z } from "zod";
import { blankAsNull } from "./common";

/** Connected applications: our own Didit applications, their keys (write-only) and sync state. */

export const APPLICATION_ENVIRONMENT_VALUES = ["sandbox", "live"] as const;
export type ApplicationEnvironmentValue = (typeof APPLICATION_ENVIRONMENT_VALUES)[number];

const name = z
  .string({ error: "Name is required" })
  .trim()
  .min(1, "Name is required")
  .max(120, "Use at most 120 characters")
  .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), "The name cannot contain control characters")
  // A lone UTF-16 surrogate cannot be stored as text (PostgreSQL wants valid UTF-8).
  .refine((v) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(v), {
    message: "The name contains an invalid character",
  });

const diditUuid = (label: string) =>
  z
    .string({ error: `${label} is required` })
    .trim()
    .toLowerCase()
    .pipe(z.uuid({ error: `${label} must be a UUID, as shown in the Didit console` }));

const workflow = (kind: string) =>
  blankAsNull(
    z
      .string()
      .trim()
      .toLowerCase()
      .pipe(
        z.uuid({
          error: `The default ${kind} workflow is not a workflow ID: pick a named workflow, paste its ID from the Didit console, or leave it empty`,
        }),
      ),
  ).optional();

export const WORKFLOW_KINDS = ["user", "business"] as const;
export type WorkflowKind = (typeof WORKFLOW_KINDS)[number];
export const WORKFLOW_KIND_LABELS: Record<WorkflowKind, string> = { user: "KYC", business: "KYB" };
export const APPLICATION_WORKFLOWS_MAX = 50;

/** One of the application's Didit workflows, named for the pickers (Didit's API does not list them). */
export const applicationWorkflowSchema = z.object({
  name: z
    .string({ error: "Give the workflow a name" })
    .trim()
    .min(1, "Give the workflow a name")
    .max(80, "Use at most 80 characters")
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), "The name cannot contain control characters"),
  id: z
    .string({ error: "Paste the workflow's ID from the Didit console" })
    .trim()
    .toLowerCase()
    .pipe(
      z.uuid({ error: "This is not a workflow ID: copy it from the workflow's page in the Didit console" }),
    ),
  kind: z.enum(WORKFLOW_KINDS, {
    error: "Choose whether the workflow verifies people (KYC) or companies (KYB)",
  }),
});
export type ApplicationWorkflow = z.output<typeof applicationWorkflowSchema>;

export const applicationWorkflowsSchema = z
  .array(applicationWorkflowSchema, { error: "The workflows are a list of names and IDs" })
  .max(APPLICATION_WORKFLOWS_MAX, `Name at most ${APPLICATION_WORKFLOWS_MAX} workflows`)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((w, i) => {
      if (seen.has(w.id))
        ctx.addIssue({ code: "custom", path: [i, "id"], message: "This workflow is already in the list" });
      seen.add(w.id);
    });
  });

/** An API key as Didit issues it: printable ASCII, no spaces. Never echoed back. */
export const apiKeySchema = z
  .string({ error: "Paste the application's API key" })
  .trim()
  .min(8, "This is too short to be a Didit API key")
  .max(512, "This is too long to be a Didit API key")
  .regex(/^[\x21-\x7e]+$/, "An API key has no spaces or special characters: copy it again");

export const createApplicationRequestSchema = z.object({
  name,
  diditApplicationId: diditUuid("The Didit application ID"),
  environment: z.enum(APPLICATION_ENVIRONMENT_VALUES, { error: 'Environment must be "sandbox" or "live"' }),
  apiKey: apiKeySchema,
  defaultWorkflowUser: workflow("KYC"),
  defaultWorkflowBusiness: workflow("KYB"),
  workflows: applicationWorkflowsSchema.optional(),
});
export type CreateApplicationRequest = z.input<typeof createApplicationRequestSchema>;
export type CreateApplicationInput = z.output<typeof createApplicationRequestSchema>;

/** Any subset; `apiKey` rotates the key (tested first, like on create). The Didit id never changes. */
export const updateApplicationRequestSchema = z
  .object({
    name: name.optional(),
    environment: z
      .enum(APPLICATION_ENVIRONMENT_VALUES, { error: 'Environment must be "sandbox" or "live"' })
      .optional(),
    apiKey: apiKeySchema.optional(),
    defaultWorkflowUser: workflow("KYC"),
    defaultWorkflowBusiness: workflow("KYB"),
    workflows: applicationWorkflowsSchema.optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), {
    message: "Nothing to change: give a name, an environment, a key, a default workflow or the workflows",
  });
export type UpdateApplicationRequest = z.input<typeof updateApplicationRequestSchema>;
export type UpdateApplicationInput = z.output<typeof updateApplicationRequestSchema>;

export const syncApplicationRequestSchema = z
  .object({
    full: z
      .boolean({ error: "Say whether to resynchronise every session (true) or only new ones (false)" })
      .optional(),
  })
  .strict();
export type SyncApplicationRequest = z.infer<typeof syncApplicationRequestSchema>;

/** Didit keeps a session from 30 days to 10 years: our copies follow the same bounds (null = keep). */
export const RETENTION_DAYS_MIN = 30;
export const RETENTION_DAYS_MAX = 3650;

export const setRetentionRequestSchema = z
  .object({
    days: z.union(
      [
        z.null(),
        z
          .number({ error: "The retention period must be a whole number of days, or none to keep the data" })
          .int("The retention period must be a whole number of days")
          .min(RETENTION_DAYS_MIN, `Keep personal data at least ${RETENTION_DAYS_MIN} days (Didit's minimum)`)
          .max(
            RETENTION_DAYS_MAX,
            `Keep personal data at most ${RETENTION_DAYS_MAX} days (10 years, Didit's maximum)`,
          ),
      ],
      {
        error: `The retention period must be from ${RETENTION_DAYS_MIN} to ${RETENTION_DAYS_MAX} days, or none to keep the data`,
      },
    ),
  })
  .strict();
export type SetRetentionRequest = z.infer<typeof setRetentionRequestSchema>;

/** What one retention run removed for one application (counts only). */
export type RetentionRunDto = {
  applicationId: string;
  days: number | null;
  /** Data older than this was removed (null: no period set, nothing removed). */
  cutoff: string | null;
  counts: { sessionMirror: number; inboxItems: number };
  ranAt: string;
};

export type ApplicationSyncDto = {
  state: "idle" | "queued" | "running" | "failed";
  /** Sessions at Didit when the running pass started (backfill progress: done / total). */
  total: number | null;
  done: number;
  startedAt: string | null;
  finishedAt: string | null;
  backfilledAt: string | null;
  error: string | null;
};

/** What every role sees (the session picker's application filter). */
export type ApplicationSummaryDto = {
  id: string;
  name: string;
  diditApplicationId: string;
  environment: ApplicationEnvironmentValue;
  sync: ApplicationSyncDto;
  /** The application's workflows by name (what the workflow pickers offer); ids are not secrets. */
  workflows: ApplicationWorkflow[];
};

export type WebhookState = "registered" | "pending" | "failed";

/** What an admin sees: never a key or a secret, only the key's last 4 characters. */
export type ApplicationDto = ApplicationSummaryDto & {
  apiKeyLast4: string | null;
  apiKeyCheckedAt: string | null;
  apiKeyError: string | null;
  webhook: {
    state: WebhookState;
    url: string | null;
    registeredAt: string | null;
    error: string | null;
    lastEventAt: string | null;
  };
  defaultWorkflowUser: string | null;
  defaultWorkflowBusiness: string | null;
  /** Personal data Handoff holds for this application is removed after this many days (null: kept). */
  retentionDays: number | null;
  /** The last retention run, and why it failed (null when it worked). */
  retentionRunAt: string | null;
  retentionError: string | null;
  createdAt: string;
  updatedAt: string;
};

export type ApplicationListResponse = { items: ApplicationSummaryDto[] | ApplicationDto[] };

export function isApplicationDto(a: ApplicationSummaryDto | ApplicationDto): a is ApplicationDto {
  return "webhook" in a;
}
