import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { ApplicationsView } from "@/components/applications/applications-view";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageActor } from "@/lib/server/auth/page";

export const metadata: Metadata = { title: "Applications" };

export default async function ApplicationsPage() {
  const { allowed } = await requirePageActor("applications.manage");
  if (!allowed) forbidden();
  return (
    <>
      <PageHeader
        title="Applications"
        description="Our own Didit applications: the keys Handoff shares and imports with, the webhook that keeps the session picker fresh, and its sync with Didit. Keys are stored encrypted and never shown again."
      />
      <ApplicationsView />
    </>
  );
}
