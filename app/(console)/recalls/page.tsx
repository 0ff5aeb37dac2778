import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { RecallsLoader } from "@/components/recalls/recalls-loader";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/rbac";
import { requirePageActor } from "@/lib/server/auth/page";

export const metadata: Metadata = { title: "Recalls" };

export default async function RecallsPage() {
  const { actor, allowed } = await requirePageActor("shares.read");
  if (!allowed) forbidden();
  return (
    <>
      <PageHeader
        title="Recalls"
        description="When a verification changes after it was shared (declined, deleted, expired, back in review), each partner is told; when a partner tells us, our imports of it go back to review."
      />
      <RecallsLoader canManage={can(actor.role, "recalls.manage")} />
    </>
  );
}
