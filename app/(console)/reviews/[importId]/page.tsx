import type { Metadata } from "next";
import { forbidden, notFound } from "next/navigation";
import { ReviewDetailLoader } from "@/components/reviews/review-detail-loader";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageActor } from "@/lib/server/auth/page";

export const metadata: Metadata = { title: "Review" };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function ReviewPage({ params }: { params: Promise<{ importId: string }> }) {
  const { actor, allowed } = await requirePageActor("inbox.read");
  if (!allowed) forbidden();
  const { importId } = await params;
  if (!UUID.test(importId)) notFound();
  return (
    <>
      <PageHeader
        title="Review"
        description="The clone as Didit holds it now, side by side with where it came from."
      />
      <ReviewDetailLoader importId={importId.toLowerCase()} actorId={actor.id} />
    </>
  );
}
