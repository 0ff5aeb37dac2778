import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { SharesLoader } from "@/components/shares/shares-loader";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageActor } from "@/lib/server/auth/page";

export const metadata: Metadata = { title: "Shares" };

export default async function SharesPage() {
  const { allowed } = await requirePageActor("shares.read");
  if (!allowed) forbidden();
  return (
    <>
      <PageHeader
        title="Shares"
        description="Every verification shared with a partner: where its token is, until when it is valid, and what the partner reported back. Newest first."
      />
      <SharesLoader />
    </>
  );
}
