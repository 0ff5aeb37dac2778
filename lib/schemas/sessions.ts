import { z } from "zod";

/**
 * The session picker (`GET /api/sessions`, `GET /api/sessions/{id}`): its query schema and DTOs,
 * shared by the route, the service and the /sessions page. Statuses are Didit's Title Case; the
 * query also takes Didit's KYB spelling (`IN_REVIEW`) and any letter case.
 */

export const SESSION_STATUSES = [
  "Not Started",
  "In Progress",
  "Awaiting User",
  "In Review",
  "Approved",
  "Declined",
  "Resubmitted",
  "Expired",
  "Kyc Expired",
  "Abandoned",
] as const;
export type SessionStatusDto = (typeof SESSION_STATUSES)[number];

/** Finished statuses: the only ones a session can be shared in. */
export const FINISHED_SESSION_STATUSES = [
  "Approved",
  "Declined",
  "In Review",
] as const satisfies readonly SessionStatusDto[];

export const SESSION_LIST_KINDS = ["user", "business", "all"] as const;
export type SessionListKindDto = (typeof SESSION_LIST_KINDS)[number];
export type SessionKind = "user" | "business";

export const SESSION_LIST_LIMIT_DEFAULT = 50;
export const SESSION_LIST_LIMIT_MAX = 100;
export const SESSION_QUERY_MAX = 200;

/** `in_review`, `IN_REVIEW` and `In Review` are one status. */
export function normaliseSessionStatus(value: string): SessionStatusDto | null {
  const key = value.trim().replace(/_/g, " ").replace(/\s+/g, " ").toLowerCase();
  return SESSION_STATUSES.find((s) => s.toLowerCase() === key) ?? null;
}

export function isFinishedStatus(status: string): boolean {
  return (FINISHED_SESSION_STATUSES as readonly string[]).includes(status);
}

/** The keyset position after the last row of a page: its created time and mirror row id. */
export type SessionCursor = { createdAt: Date; id: string };

const cursorPayloadSchema = z.object({ t: z.iso.datetime({ offset: true }), i: z.uuid() }).strict();

function decodeBase64Url(value: string): string | null {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(value)) return null;
  const base64 = value.replace(/-/g, "+").replace(/_/g, "/");
  try {
    const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

export function encodeSessionCursor(cursor: SessionCursor): string {
  const json = JSON.stringify({ t: cursor.createdAt.toISOString(), i: cursor.id });
  const bytes = new TextEncoder().encode(json);
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

export function decodeSessionCursor(value: string): SessionCursor | null {
  const json = decodeBase64Url(value);
  if (json === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return null;
  }
  const result = cursorPayloadSchema.safeParse(parsed);
  if (!result.success) return null;
  const createdAt = new Date(result.data.t);
  if (Number.isNaN(createdAt.getTime())) return null;
  return { createdAt, id: result.data.i };
}

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

export const sessionListQuerySchema = z.object({
  applicationId: z.preprocess(
    blankToUndefined,
    z.uuid({ message: "Choose one of the connected applications" }).optional(),
  ),
  kind: z.preprocess(
    blankToUndefined,
    z
      .enum(SESSION_LIST_KINDS, { message: "The kind filter is KYC (user), KYB (business) or all" })
      .default("all"),
  ),
  /** Comma-separated statuses, e.g. `Approved,In Review`. */
  status: z.preprocess(
    blankToUndefined,
    z
      .string()
      .max(300, "Too many statuses")
      .transform((value, ctx) => {
        const out: SessionStatusDto[] = [];
        for (const part of value.split(",")) {
          if (part.trim() === "") continue;
          const status = normaliseSessionStatus(part);
          if (!status) {
            ctx.addIssue({
              code: "custom",
              message: `Unknown status "${part.trim().slice(0, 40)}": use ${SESSION_STATUSES.join(", ")}`,
            });
            return z.NEVER;
          }
          if (!out.includes(status)) out.push(status);
        }
        return out.length > 0 ? out : undefined;
      })
      .optional(),
  ),
  /**
   * Finished sessions only (Approved, Declined, In Review). Defaults to true, unless `status`
   * names the statuses wanted (then those decide).
   */
  finished: z.preprocess(
    blankToUndefined,
    z
      .enum(["true", "false"], { message: "The finished filter is true or false" })
      .transform((v) => v === "true")
      .optional(),
  ),
  /**
   * Name or company (substrings from 3 characters, else its start), a vendor_data prefix, a session number
   * prefix (three digits or more; one or two digits: that number), or a whole session uuid.
   */
  q: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .max(SESSION_QUERY_MAX, `Search with at most ${SESSION_QUERY_MAX} characters`)
      .optional(),
  ),
  /** Opaque: the `nextCursor` of the previous page. */
  cursor: z.preprocess(
    blankToUndefined,
    z
      .string()
      .transform((value, ctx) => {
        const cursor = decodeSessionCursor(value);
        if (!cursor) {
          ctx.addIssue({
            code: "custom",
            message: "Not a cursor from this list: start again from the first page",
          });
          return z.NEVER;
        }
        return cursor;
      })
      .optional(),
  ),
  limit: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ message: `The page size must be a whole number from 1 to ${SESSION_LIST_LIMIT_MAX}` })
      .int(`The page size must be a whole number from 1 to ${SESSION_LIST_LIMIT_MAX}`)
      .min(1, `The page size must be a whole number from 1 to ${SESSION_LIST_LIMIT_MAX}`)
      .max(SESSION_LIST_LIMIT_MAX, `The page size must be a whole number from 1 to ${SESSION_LIST_LIMIT_MAX}`)
      .default(SESSION_LIST_LIMIT_DEFAULT),
  ),
});
export type SessionListQuery = z.output<typeof sessionListQuerySchema>;
/** What the service takes: the parsed query, every field but `limit` optional. */
export type SessionListInput = Partial<Omit<SessionListQuery, "limit">> & { limit?: number };

export type SessionListItemDto = {
  /** The mirror row's id. */
  id: string;
  applicationId: string;
  applicationName: string;
  /** The Didit session uuid. */
  sessionId: string;
  number: number | null;
  kind: SessionKind;
  status: string;
  vendorData: string | null;
  /** Full name (KYC) or company name (KYB). */
  displayName: string | null;
  country: string | null;
  documentType: string | null;
  workflowId: string | null;
  createdAt: string;
  /** Set on a session imported from another application (its source session). */
  sharedFromSession: string | null;
  /** Its personal fields were removed by retention or erasure (names are null then). */
  redacted: boolean;
  /** Set when they were removed by an erasure (not retention): when it finished and why. */
  erasure: { at: string; reason: string } | null;
};

/**
 * Whom a session listed elsewhere (a review, a share, an inbox item, a lineage node) is about, from
 * the session mirror: the person's or company's name, null while not mirrored yet; `removed` when
 * retention or erasure removed it. Left out of the DTO for a role without `sessions.read`.
 */
export type SessionSubjectDto = { name: string | null; removed: boolean };

/** What a redacted row shows instead of the name. */
export const REDACTED_NAME = "Removed under retention";
/** What an erased row shows instead of the name (erasure is not retention). */
export const ERASED_NAME = "Erased";

export type SessionListResponse = { items: SessionListItemDto[]; nextCursor: string | null };

export type SessionFeatureSummaryDto = {
  /** The feature array's name (`id_verifications`, `registry_checks`…). */
  feature: string;
  count: number;
  /** The status of each check, as Didit reports it. */
  statuses: string[];
};

export type SessionReviewDto = {
  user: string | null;
  newStatus: string;
  comment: string | null;
  createdAt: string | null;
};

export type SessionDecisionDto = {
  status: string;
  fullName: string | null;
  companyName: string | null;
  registrationNumber: string | null;
  documentType: string | null;
  country: string | null;
  vendorData: string | null;
  workflowId: string | null;
  createdAt: string;
  expiresAt: string | null;
  sharedFromSession: string | null;
  features: SessionFeatureSummaryDto[];
  reviews: SessionReviewDto[];
};

export type SessionShareSummaryDto = {
  id: string;
  partner: { id: string; name: string };
  state: string;
  channel: string;
  ttlSeconds: number;
  createdAt: string;
  expiresAt: string;
  receiptStatus: "imported" | "rejected" | null;
  receiptCloneSessionId: string | null;
};

export type SessionDetailDto = {
  session: SessionListItemDto;
  decision: SessionDecisionDto;
  shares: SessionShareSummaryDto[];
  /** The signed-in user may share it now (role and a finished status; the server decides). */
  canShare: boolean;
};
