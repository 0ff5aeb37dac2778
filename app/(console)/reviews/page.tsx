import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { ReviewsLoader } from "@/components/reviews/reviews-loader";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/rbac";
import { requirePageActor } from "@/lib/server/auth/page";

export const metadata: Metadata = { title: "Reviews" };

export default async function ReviewsPage() {
  const { actor, allowed } = await requirePageActor("inbox.read");
  if (!allowed) forbidden();
  return (
    <>
      <PageHeader
        title="Reviews"
        description="Imported verifications waiting In Review for our decision, and those a partner recalled: recalled first, then those awaiting a second approval, then the oldest import first."
      />
      <ReviewsLoader canAssign={can(actor.role, "reviews.decide")} />
    </>
  );
}
