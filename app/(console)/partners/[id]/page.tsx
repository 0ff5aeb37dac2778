import type { Metadata } from "next";
import Link from "next/link";
import { forbidden, notFound } from "next/navigation";
import { z } from "zod";
import { PartnerDetailLoader } from "@/components/partners/partner-detail-loader";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/rbac";
import { requirePageActor } from "@/lib/server/auth/page";
import { getDb } from "@/lib/server/db/client";
import { AppError } from "@/lib/server/http/errors";
import { getPartner } from "@/lib/server/services/partners";

export const metadata: Metadata = { title: "Partner" };

const idSchema = z.uuid();

export default async function PartnerPage({ params }: { params: Promise<{ id: string }> }) {
  const { actor, allowed } = await requirePageActor("partners.read");
  if (!allowed) forbidden();
  const { id } = await params;
  if (!idSchema.safeParse(id).success) notFound();
  // The name for the heading; the page's data comes through the API like every other page's.
  const ctx = {
    db: await getDb(),
    actor,
    now: () => new Date(),
    requestId: "page",
    ip: null,
    userAgent: null,
  };
  const partner = await getPartner(ctx, id).catch((error: unknown) => {
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  });
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
