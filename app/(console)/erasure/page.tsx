import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { ErasureView } from "@/components/erasure/erasure-view";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageActor } from "@/lib/server/auth/page";
import { UUID_RE } from "@/lib/ids";

export const metadata: Metadata = { title: "Erasure" };

export default async function ErasurePage({
  searchParams,
}: {
  searchParams: Promise<{ session?: string | string[] }>;
}) {
  const { allowed } = await requirePageActor("erasure.request");
  if (!allowed) forbidden();
  const { session } = await searchParams;
  const initialSession = typeof session === "string" && UUID_RE.test(session) ? session.toLowerCase() : null;
  return (
    <>
      <PageHeader
        title="Erasure"
        description="Erase one session's personal data from Handoff at a data subject's or your own request: our copies are scrubbed, Didit is asked to delete the session when you choose, and every partner it was shared with is sent a recall."
      />
      <ErasureView initialSession={initialSession} />
    </>
  );
}
