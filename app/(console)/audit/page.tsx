import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { Suspense } from "react";
import { AuditView } from "@/components/audit/audit-view";
import { requirePageActor } from "@/lib/server/auth/page";

export const metadata: Metadata = { title: "Audit trail" };

export default async function AuditPage() {
  const { allowed } = await requirePageActor("audit.read");
  if (!allowed) forbidden();
  return (
    <Suspense>
      <AuditView />
    </Suspense>
  );
}
