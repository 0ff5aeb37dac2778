import "server-only";
import { z } from "zod";
import type { Db } from "@/lib/server/db/types";
import { createApiKey, createApplication, findApplication } from "./applications";
import { clockOffsetSeconds, MAX_CLOCK_OFFSET_SECONDS, sandboxNow, setClockOffset } from "./clock";
import { fieldErrors, notFound, type FieldErrors } from "./errors";
import { renderDecision } from "./render";
import { MAX_KEY_PEOPLE } from "./generator";
import { createGeneratedSession } from "./sessions";
import { parseStatus } from "./statuses";
import { NOT_A_STRING, textProblem } from "./validation";
import { realignDeliveryJobs } from "./webhooks";
import { PRIVILEGES } from "@/lib/server/didit-wire";

/** The sandbox operator's API (applications, keys, seeded sessions, clock), validated with zod. */

function validate<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const errors: FieldErrors = Object.create(null);
  for (const issue of parsed.error.issues) {
    const key = issue.path.length > 0 ? String(issue.path[0]) : "non_field_errors";
    (errors[key] ??= []).push(issue.message);
  }
  throw fieldErrors(errors);
}

/**
 * DRF's messages: "required" only when the field is absent; a present value of the wrong type or
 * out of range gets its own message (a schema-level `error` string would mask every other issue).
 */
const REQUIRED = "This field is required.";
const requiredOr = (message: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? REQUIRED : message;
const maxChars = (n: number) => `Ensure this field has no more than ${n} characters.`;
/** A string PostgreSQL can store: no NUL, no lone surrogate (DRF's messages). */
const text = (error: Parameters<typeof z.string>[0] = { error: NOT_A_STRING }) =>
  z.string(error).superRefine((value, ctx) => {
    const problem = textProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem, abort: true });
  });

const profileSchema = z.enum(["recipe", "spec"], { error: 'Must be "recipe" or "spec".' });

export const createApplicationSchema = z.object({
  name: text({ error: requiredOr(NOT_A_STRING) })
    .trim()
    .min(1, "This field may not be blank.")
    .max(200, maxChars(200)),
  profile: profileSchema.optional(),
});

export async function adminCreateApplication(db: Db, body: unknown) {
  const input = validate(createApplicationSchema, body);
  return createApplication(db, input);
}

export const createKeySchema = z.object({
  privileges: z
    .array(z.enum(PRIVILEGES, { error: `Each privilege must be one of ${PRIVILEGES.join(", ")}.` }), {
      error: requiredOr("Expected a list of privileges."),
    })
    .min(1, "At least one privilege is required."),
});

export async function adminCreateApiKey(db: Db, applicationId: string, body: unknown) {
  if (!(await findApplication(db, applicationId))) throw notFound();
  const input = validate(createKeySchema, body);
  return { api_key: await createApiKey(db, applicationId, input.privileges) };
}

export const createSessionSchema = z.object({
  application_id: z.uuid({ error: requiredOr("Must be a valid UUID.") }),
  session_kind: z.enum(["user", "business"], { error: requiredOr('Must be "user" or "business".') }),
  status: text({ error: requiredOr(NOT_A_STRING) }),
  vendor_data: text().max(1000, maxChars(1000)).nullish(),
  seed: z
    .union([text().max(200, maxChars(200)), z.number().int()], {
      error: "Must be a string or an integer.",
    })
    .optional(),
  /** KYB only: how many key people the company has (1–50); else the seed's one to four. */
  key_people_count: z
    .number({ error: "A valid integer is required." })
    .int({ error: "A valid integer is required." })
    .min(1, { error: "Ensure this value is greater than or equal to 1." })
    .max(MAX_KEY_PEOPLE, { error: `Ensure this value is less than or equal to ${MAX_KEY_PEOPLE}.` })
    .optional(),
});

export async function adminCreateSession(db: Db, body: unknown, origin: string) {
  const input = validate(createSessionSchema, body);
  const status = parseStatus(input.status);
  if (!status) throw fieldErrors({ status: [`"${input.status}" is not a valid session status.`] });
  if (input.key_people_count !== undefined && input.session_kind !== "business") {
    throw fieldErrors({ key_people_count: ["Key people exist only in business (KYB) sessions."] });
  }
  const app = await findApplication(db, input.application_id.toLowerCase());
  if (!app) throw fieldErrors({ application_id: ["Application does not exist."] });
  const session = await createGeneratedSession(db, {
    applicationId: app.id,
    kind: input.session_kind,
    status,
    vendorData: input.vendor_data ?? null,
    seed: input.seed,
    now: await sandboxNow(db),
    ...(input.key_people_count === undefined ? {} : { keyPeopleCount: input.key_people_count }),
  });
  return renderDecision(session, app.profile, origin);
}

export const setClockSchema = z.object({
  offset_seconds: z
    .number({ error: requiredOr("A valid integer is required.") })
    .int("A valid integer is required.")
    .min(
      -MAX_CLOCK_OFFSET_SECONDS,
      `Ensure this value is greater than or equal to ${-MAX_CLOCK_OFFSET_SECONDS}.`,
    )
    .max(MAX_CLOCK_OFFSET_SECONDS, `Ensure this value is less than or equal to ${MAX_CLOCK_OFFSET_SECONDS}.`),
});

export async function adminSetClock(db: Db, body: unknown) {
  const input = validate(setClockSchema, body);
  const { offsetSeconds, now } = await setClockOffset(db, input.offset_seconds);
  await realignDeliveryJobs(db, offsetSeconds);
  return { offset_seconds: offsetSeconds, now: now.toISOString() };
}

export async function adminReadClock(db: Db) {
  const offset = await clockOffsetSeconds(db);
  return { offset_seconds: offset, now: new Date(Date.now() + offset * 1000).toISOString() };
}
