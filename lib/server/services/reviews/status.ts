import "server-only";
import { and, asc, eq } from "drizzle-orm";
import { importDecisions, imports } from "@/lib/server/db/schema";
import type { Tx } from "@/lib/server/db/types";
import { recordAudit, type AuditRequestMeta } from "@/lib/server/services/audit";

/**
 * The clone's status at Didit now, from a webhook's decision or the confirmation check (call it in
 * the caller's transaction): when `sessionId` is the clone of one of our imports in that
 * application, `imports.status` follows it (audited `import.status_changed`), and a sent decision
 * whose status it now is becomes `confirmed` (audited `import.decision_confirmed`). Answers
 * whether the session is one of our clones.
 */
export async function syncImportStatus(
  tx: Tx,
  meta: AuditRequestMeta,
  input: { applicationId: string; sessionId: string; status: string; source: "webhook" | "check" },
): Promise<boolean> {
  const [imp] = await tx
    .select()
    .from(imports)
    .where(
      and(
        eq(imports.applicationId, input.applicationId),
        eq(imports.cloneSessionId, input.sessionId.toLowerCase()),
        eq(imports.state, "imported"),
      ),
    )
    .limit(1)
    .for("update");
  if (!imp) return false;
  if (imp.status !== input.status) {
    await tx
      .update(imports)
      .set({ status: input.status, statusUpdatedAt: meta.now, updatedAt: meta.now })
      .where(eq(imports.id, imp.id));
    await recordAudit(tx, meta, {
      action: "import.status_changed",
      entityType: "import",
      entityId: imp.id,
      data: { from: imp.status, to: input.status, source: input.source },
    });
  }
  const sent = await tx
    .select()
    .from(importDecisions)
    .where(and(eq(importDecisions.importId, imp.id), eq(importDecisions.state, "sent")))
    .orderBy(asc(importDecisions.createdAt))
    .for("update");
  for (const d of sent) {
    if (d.status !== input.status) continue;
    await tx
      .update(importDecisions)
      .set({ state: "confirmed", confirmedAt: meta.now, updatedAt: meta.now })
      .where(eq(importDecisions.id, d.id));
    await recordAudit(tx, meta, {
      action: "import.decision_confirmed",
      entityType: "import",
      entityId: imp.id,
      data: { decisionId: d.id, status: d.status, source: input.source },
    });
  }
  return true;
}

/** The audit actor of Didit's webhooks and of the confirmation check. */
export function diditMeta(now: Date, requestId: string): AuditRequestMeta {
  return { actor: { id: null, label: "didit" }, now, requestId };
}
