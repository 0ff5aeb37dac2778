import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { NuqsAdapter } from "nuqs/adapters/next/app";
import { Suspense } from "react";
import { AuditView } from "@/components/audit/audit-view";
import { requirePageActor } from "@/lib/server/auth/page";

export const metadata: Metadata = { title: "Audit trail" };

export default async function AuditPage() {
  const { allowed } = await requirePageActor("audit.read");
  if (!allowed) forbidden();
  // The URL-state adapter only where filters live in the URL, to keep it off the other pages.
  return (
    <NuqsAdapter>
      <Suspense>
        <AuditView />
      </Suspense>
    </NuqsAdapter>
  );
}
