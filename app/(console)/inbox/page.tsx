import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { InboxLoader } from "@/components/inbox/inbox-loader";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/rbac";
import { requirePageActor } from "@/lib/server/auth/page";

export const metadata: Metadata = { title: "Inbox" };

export default async function InboxPage() {
  const { actor, allowed } = await requirePageActor("inbox.read");
  if (!allowed) forbidden();
  return (
    <>
      <PageHeader
        title="Inbox"
        description="Share tokens partners sent us: what each would import, and how long it stays valid. Newest first."
      />
      <InboxLoader canReceive={can(actor.role, "imports.create")} />
    </>
  );
}
