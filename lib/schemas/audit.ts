import { z } from "zod";
import { isoDateTime } from "./common";

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => (v ? v : undefined));

export const auditListQuerySchema = z
  .object({
    actor: optionalText(200),
    action: optionalText(100),
    entityType: optionalText(100),
    entityId: optionalText(200),
    from: isoDateTime().optional(),
    to: isoDateTime().optional(),
    cursor: z.coerce.number().int().positive().optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, {
    message: "From must not be after To",
    path: ["from"],
  });

type ParsedAuditQuery = z.infer<typeof auditListQuerySchema>;
export type AuditListQuery = Partial<Omit<ParsedAuditQuery, "limit">> & { limit: number };
