import type { Metadata } from "next";
import Link from "next/link";
import { PartnerDetailLoader } from "@/components/partners/partner-detail-loader";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/rbac";
import { loadDetailPage } from "@/lib/server/auth/detail-page";
import { getPartner } from "@/lib/server/services/partners";

export const metadata: Metadata = { title: "Partner" };

export default async function PartnerPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  // The name for the heading; the page's data comes through the API like every other page's.
  const { actor, detail: partner } = await loadDetailPage("partners.read", id, getPartner);
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/partners" className="text-brand-700 underline-offset-4 hover:underline">
          ← Partners
        </Link>
      </p>
      <PageHeader
        title={partner.name}
        description="A partner's agreement, policies, delivery and shared secret."
      />
      <PartnerDetailLoader id={id} canManage={can(actor.role, "partners.manage")} />
    </>
  );
}
