import type { Metadata } from "next";
import { EvidenceDownloadButton } from "@/components/evidence/evidence-download-button";
import { ReviewDetailLoader } from "@/components/reviews/review-detail-loader";
import { KIND_LABELS } from "@/components/sessions/format";
import { withSubject } from "@/components/sessions/subject-name";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/rbac";
import { loadDetailPage } from "@/lib/server/auth/detail-page";
import { getImportInReview } from "@/lib/server/services/reviews";

export const metadata: Metadata = { title: "Review" };

export default async function ReviewPage({ params }: { params: Promise<{ importId: string }> }) {
  const { importId } = await params;
  const { actor, detail } = await loadDetailPage("inbox.read", importId, getImportInReview);
  const session =
    detail.cloneSessionNumber !== null
      ? `#${detail.cloneSessionNumber}`
      : (detail.cloneSessionId?.slice(0, 8) ?? "not imported");
  return (
    <>
      <PageHeader
        title={withSubject(`Review of session ${session}`, detail.subject)}
        description={`${KIND_LABELS[detail.sessionKind]} from ${detail.partnerName}, imported into ${detail.applicationName}: the clone as Didit holds it now, side by side with where it came from.`}
        actions={
          can(actor.role, "evidence.export") && detail.cloneSessionId ? (
            <EvidenceDownloadButton sessionId={detail.cloneSessionId} />
          ) : undefined
        }
      />
      <ReviewDetailLoader initial={detail} actorId={actor.id} />
    </>
  );
}
