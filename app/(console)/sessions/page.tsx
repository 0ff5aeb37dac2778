import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { SessionsLoader } from "@/components/sessions/sessions-loader";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/rbac";
import { requirePageActor } from "@/lib/server/auth/page";

export const metadata: Metadata = { title: "Sessions" };

export default async function SessionsPage() {
  const { actor, allowed } = await requirePageActor("sessions.read");
  if (!allowed) forbidden();
  return (
    <>
      <PageHeader
        title="Sessions"
        description="The KYC and KYB sessions of your connected applications, newest first. Open one to see its decision and share it with a partner."
      />
      <SessionsLoader canShare={can(actor.role, "shares.create")} />
    </>
  );
}
