import type { Metadata } from "next";
import Link from "next/link";
import { forbidden } from "next/navigation";
import { PartnersLoader } from "@/components/partners/partners-loader";
import { buttonVariants } from "@/components/ui/button-variants";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/rbac";
import { requirePageActor } from "@/lib/server/auth/page";

export const metadata: Metadata = { title: "Partners" };

export default async function PartnersPage() {
  const { actor, allowed } = await requirePageActor("partners.read");
  if (!allowed) forbidden();
  const canManage = can(actor.role, "partners.manage");
  return (
    <>
      <PageHeader
        title="Partners"
        description="The businesses we share verifications with and receive them from: their Didit applications, the data-sharing agreement with each, and how tokens travel."
        actions={
          canManage ? (
            <Link href="/partners/new" className={buttonVariants()}>
              New partner
            </Link>
          ) : undefined
        }
      />
      <PartnersLoader canManage={canManage} />
    </>
  );
}
