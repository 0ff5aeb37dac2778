import { randomUUID } from "node:crypto";
import type { Metadata } from "next";
import { forbidden, notFound } from "next/navigation";
import { ShareDetailLoader } from "@/components/shares/share-detail-loader";
import { KIND_LABELS } from "@/components/shares/format";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/rbac";
import { requirePageActor } from "@/lib/server/auth/page";
import { getDb } from "@/lib/server/db/client";
import { AppError } from "@/lib/server/http/errors";
import { getShare } from "@/lib/server/services/shares";

export const metadata: Metadata = { title: "Share" };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function SharePage({ params }: { params: Promise<{ id: string }> }) {
  const { actor, allowed } = await requirePageActor("shares.read");
  if (!allowed) forbidden();
  const { id } = await params;
  if (!UUID.test(id)) notFound();
  const ctx = {
    db: await getDb(),
    actor,
    now: () => new Date(),
    requestId: randomUUID(),
    ip: null,
    userAgent: null,
  };
  const share = await getShare(ctx, id.toLowerCase()).catch((error: unknown) => {
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  });
  const session = share.sessionNumber !== null ? `#${share.sessionNumber}` : share.sessionId.slice(0, 8);
  return (
    <>
      <PageHeader
        title={`Share of session ${session}`}
        description={`${KIND_LABELS[share.sessionKind]} session shared from ${share.applicationName || "our application"} with ${share.partnerName}.`}
      />
      <ShareDetailLoader initial={share} canReadAudit={can(actor.role, "audit.read")} />
    </>
  );
}
