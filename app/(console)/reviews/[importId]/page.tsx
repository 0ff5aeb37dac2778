import { randomUUID } from "node:crypto";
import type { Metadata } from "next";
import { forbidden, notFound } from "next/navigation";
import { ReviewDetailLoader } from "@/components/reviews/review-detail-loader";
import { KIND_LABELS } from "@/components/sessions/format";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageActor } from "@/lib/server/auth/page";
import { getDb } from "@/lib/server/db/client";
import { AppError } from "@/lib/server/http/errors";
import { getImport } from "@/lib/server/services/reviews";

export const metadata: Metadata = { title: "Review" };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function ReviewPage({ params }: { params: Promise<{ importId: string }> }) {
  const { actor, allowed } = await requirePageActor("inbox.read");
  if (!allowed) forbidden();
  const { importId } = await params;
  if (!UUID.test(importId)) notFound();
  const ctx = {
    db: await getDb(),
    actor,
    now: () => new Date(),
    requestId: randomUUID(),
    ip: null,
    userAgent: null,
  };
  const detail = await getImport(ctx, importId.toLowerCase()).catch((error: unknown) => {
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  });
  const session =
    detail.cloneSessionNumber !== null
      ? `#${detail.cloneSessionNumber}`
      : (detail.cloneSessionId?.slice(0, 8) ?? "not imported");
  return (
    <>
      <PageHeader
        title={`Review of session ${session}`}
        description={`${KIND_LABELS[detail.sessionKind]} from ${detail.partnerName}, imported into ${detail.applicationName}: the clone as Didit holds it now, side by side with where it came from.`}
      />
      <ReviewDetailLoader initial={detail} actorId={actor.id} />
    </>
  );
}
