import type { Metadata } from "next";
import { Suspense } from "react";
import { AuditView } from "@/components/audit/audit-view";
import { Forbidden } from "@/components/layout/forbidden";
import { requirePageActor } from "@/lib/server/auth/page";

export const metadata: Metadata = { title: "Audit trail" };

export default async function AuditPage() {
  const { allowed } = await requirePageActor("audit.read");
  if (!allowed) return <Forbidden what="the audit trail" />;
  return (
    <Suspense>
      <AuditView />
    </Suspense>
  );
}
