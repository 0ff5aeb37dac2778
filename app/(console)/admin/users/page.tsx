import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { UsersView } from "@/components/users/users-view";
import { requirePageActor } from "@/lib/server/auth/page";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const { actor, allowed } = await requirePageActor("users.manage");
  if (!allowed) forbidden();
  return (
    <>
      <PageHeader
        title="Users"
        description="Who can sign in to Handoff and with which role. Changes take effect on the user's next request."
      />
      <UsersView currentUserId={actor.id} />
    </>
  );
}
