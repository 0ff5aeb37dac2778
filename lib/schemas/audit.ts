import { z } from "zod";
import type { Sentence } from "@/lib/audit-sentences";
import { isoDateTime } from "./common";

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => (v ? v : undefined));

/** The list's filters, shared by the page's list and the export. */
const auditFilterFields = {
  actor: optionalText(200),
  action: optionalText(100),
  entityType: optionalText(100),
  entityId: optionalText(200),
  from: isoDateTime().optional(),
  to: isoDateTime().optional(),
};

const fromNotAfterTo: [(q: { from?: Date; to?: Date }) => boolean, { message: string; path: string[] }] = [
  (q) => !q.from || !q.to || q.from <= q.to,
  { message: "From must not be after To", path: ["from"] },
];

export const auditListQuerySchema = z
  .object({
    ...auditFilterFields,
    cursor: z.coerce.number().int().positive().optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .refine(...fromNotAfterTo);

type ParsedAuditQuery = z.infer<typeof auditListQuerySchema>;
export type AuditListQuery = Partial<Omit<ParsedAuditQuery, "limit">> & { limit: number };
export type AuditFilterQuery = Omit<AuditListQuery, "cursor" | "limit">;

export const auditExportQuerySchema = z
  .object({
    ...auditFilterFields,
    format: z.enum(["csv", "jsonl"], { message: "Choose csv or jsonl" }),
  })
  .refine(...fromNotAfterTo);
export type AuditExportQuery = z.infer<typeof auditExportQuerySchema>;

export const auditVerifyRequestSchema = z
  .object({ mode: z.enum(["incremental", "full"], { message: "Choose incremental or full" }) })
  .strict();
export type AuditVerifyRequest = z.infer<typeof auditVerifyRequestSchema>;

export type AuditPersonDto = { name: string; email: string };

/** One row of GET /api/audit. */
export type AuditEventDto = {
  id: string;
  seq: number;
  occurredAt: string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  entityType: string | null;
  entityId: string | null;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
  data: Record<string, unknown>;
  hash: string;
  /** The users this event names (its actor and the user ids in `data`), by id: read by people, not as uuids. */
  people: Record<string, AuditPersonDto>;
  /** The event in words ("Olu Officer proposed Approved"), its people as parts. */
  sentence: Sentence;
};
