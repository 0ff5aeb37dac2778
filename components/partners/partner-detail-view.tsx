"use client";

import { Pencil } from "lucide-react";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { DateTime } from "@/components/ui/date-time";
import { Skeleton } from "@/components/ui/skeleton";
import { toast } from "@/components/ui/sonner";
import { usePartner, useUpdatePartner } from "@/lib/client/queries/partners";
import { formatDate } from "@/lib/format";
import type { PartnerDetailDto } from "@/lib/schemas/partners";
import { AgreementBadge, PartnerStatusBadge } from "./agreement-badge";
import { ImportingCard, PartnershipCard, SharingCard } from "./partner-detail-cards";
import { ContactsCard, RecentSharesCard } from "./partner-detail-lists";
import { changedFields, formValuesOf, PartnerForm } from "./partner-form";
import { SecretCard } from "./partner-secret-card";
import { PartnerStatusDialogs } from "./partner-status-dialogs";

export function DetailSkeleton() {
  return (
    <div role="status" aria-label="Loading the partner" className="space-y-6">
      <Skeleton className="h-10 w-72" />
      <Skeleton className="h-56 w-full" />
      <Skeleton className="h-40 w-full" />
    </div>
  );
}

function missingAgreementFields(p: Pick<PartnerDetailDto, "agreementReference" | "agreementSignedOn">) {
  if (!p.agreementReference && !p.agreementSignedOn) return "reference and signing date";
  return p.agreementReference ? "signing date" : "reference";
}

/** Why nothing is shared with or imported from this partner right now, if so. */
function PartnerNotices({ partner: p }: { partner: PartnerDetailDto }) {
  return (
    <>
      {p.status === "suspended" && (
        <Alert title="Suspended">
          {p.suspendedReason ?? "No reason recorded."}
          {p.suspendedAt && (
            <>
              {" "}
              (since <DateTime value={p.suspendedAt} />)
            </>
          )}
          . Nothing is shared with or imported from this partner until it is reactivated.
        </Alert>
      )}
      {(p.agreementState === "expired" || p.agreementState === "none") && (
        <Alert title={p.agreementState === "expired" ? "Agreement expired" : "No agreement in force"}>
          {p.agreementState === "expired"
            ? `The data-sharing agreement ended on ${p.agreementExpiresOn ? formatDate(p.agreementExpiresOn) : "an unrecorded date"}. Shares and imports are refused until a renewed agreement is recorded here.`
            : `The agreement's ${missingAgreementFields(p)} ${p.agreementReference || p.agreementSignedOn ? "is" : "are"} not recorded. Shares and imports are refused until the agreement's reference and signing date are recorded here.`}
        </Alert>
      )}
    </>
  );
}

export function PartnerDetailView({ id, canManage }: { id: string; canManage: boolean }) {
  const partner = usePartner(id);
  if (partner.isPending) return <DetailSkeleton />;
  if (partner.isError) return <Alert>{partner.error.message}</Alert>;
  return <PartnerDetail partner={partner.data} canManage={canManage} />;
}

/** The partner's page: status and actions, the record (or its edit form), secret, contacts, shares. */
function PartnerDetail({ partner: p, canManage }: { partner: PartnerDetailDto; canManage: boolean }) {
  const update = useUpdatePartner(p.id);
  const [editing, setEditing] = useState(false);
  const [dialog, setDialog] = useState<"suspend" | "reactivate" | null>(null);

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="flex flex-wrap items-center gap-2 text-sm text-slate-700">
          <PartnerStatusBadge status={p.status} />
          <AgreementBadge partner={p} />
          {p.sisterBrand && <Badge tone="info">sister brand</Badge>}
          <span>
            for <strong className="font-medium text-slate-900">{p.application.name}</strong>
          </span>
        </div>
        {canManage && !editing && (
          <div className="flex gap-2">
            <Button variant="secondary" onClick={() => setEditing(true)}>
              <Pencil aria-hidden /> Edit
            </Button>
            {p.status === "active" ? (
              <Button variant="danger" onClick={() => setDialog("suspend")}>
                Suspend
              </Button>
            ) : (
              <Button onClick={() => setDialog("reactivate")}>Reactivate</Button>
            )}
          </div>
        )}
      </div>

      <PartnerNotices partner={p} />

      {editing ? (
        <PartnerForm
          mode="edit"
          initial={formValuesOf(p)}
          onCancel={() => setEditing(false)}
          onSubmit={async (values) => {
            const changes = changedFields(values, p);
            if (Object.keys(changes).length === 0) {
              toast.info("Nothing changed.");
              setEditing(false);
              return;
            }
            await update.mutateAsync(changes);
            toast.success(`${values.name} is saved.`);
            setEditing(false);
          }}
        />
      ) : (
        <>
          <PartnershipCard partner={p} />
          <SharingCard partner={p} />
          <ImportingCard partner={p} />
        </>
      )}

      <SecretCard partner={p} canManage={canManage} />
      <ContactsCard partner={p} canManage={canManage} />
      <RecentSharesCard partner={p} />
      <PartnerStatusDialogs partner={p} dialog={dialog} onClose={() => setDialog(null)} />
    </div>
  );
}
