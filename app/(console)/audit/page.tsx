import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { AuditLoader } from "@/components/audit/audit-loader";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageActor } from "@/lib/server/auth/page";

export const metadata: Metadata = { title: "Audit trail" };

export default async function AuditPage() {
  const { allowed } = await requirePageActor("audit.read");
  if (!allowed) forbidden();
  return (
    <>
      <PageHeader
        title="Audit trail"
        description="Every sign-in, administration step and hand-off, append-only and hash-chained. Newest first."
      />
      <AuditLoader />
    </>
  );
}
