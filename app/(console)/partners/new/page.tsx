import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { NewPartnerLoader } from "@/components/partners/new-partner-loader";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageActor } from "@/lib/server/auth/page";

export const metadata: Metadata = { title: "New partner" };

export default async function NewPartnerPage() {
  const { allowed } = await requirePageActor("partners.manage");
  if (!allowed) forbidden();
  return (
    <>
      <PageHeader
        title="New partner"
        description="Another business's Didit application, the agreement we keep with it, and how tokens travel between us."
      />
      <NewPartnerLoader />
    </>
  );
}
