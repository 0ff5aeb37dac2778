import type { Metadata } from "next";
import Link from "next/link";
import { ShareDetailLoader } from "@/components/shares/share-detail-loader";
import { withSubject } from "@/components/sessions/subject-name";
import { KIND_LABELS } from "@/components/shares/format";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/rbac";
import { loadDetailPage } from "@/lib/server/auth/detail-page";
import { getShare } from "@/lib/server/services/sharing";

export const metadata: Metadata = { title: "Share" };

export default async function SharePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { actor, detail: share } = await loadDetailPage("shares.read", id, getShare);
  const session = share.sessionNumber !== null ? `#${share.sessionNumber}` : share.sessionId.slice(0, 8);
  return (
    <>
      <PageHeader
        title={withSubject(`Share of session ${session}`, share.subject)}
        description={`${KIND_LABELS[share.sessionKind]} session shared from ${share.applicationName || "our application"} with ${share.partnerName}.`}
        actions={
          can(actor.role, "lineage.read") ? (
            <Link
              href={`/lineage/${share.sessionId}`}
              className="text-sm font-medium text-brand-700 hover:underline"
            >
              Trace lineage
            </Link>
          ) : undefined
        }
      />
      <ShareDetailLoader initial={share} canReadAudit={can(actor.role, "audit.read")} />
    </>
  );
}
