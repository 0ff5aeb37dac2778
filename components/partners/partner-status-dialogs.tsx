"use client";

import { toast } from "@/components/ui/sonner";
import { useUpdatePartner } from "@/lib/client/queries/partners";
import type { PartnerDetailDto } from "@/lib/schemas/partners";
import { ReactivateDialog, SuspendDialog } from "./status-dialogs";

/** Suspend (with a reason) or reactivate the partner, each behind its confirmation. */
export function PartnerStatusDialogs({
  partner: p,
  dialog,
  onClose,
}: {
  partner: PartnerDetailDto;
  dialog: "suspend" | "reactivate" | null;
  onClose: () => void;
}) {
  const update = useUpdatePartner(p.id);

  function setStatus(body: { status: "suspended"; suspendedReason: string } | { status: "active" }) {
    update.mutate(body, {
      onSuccess: (updated) => {
        onClose();
        toast.success(
          updated.status === "suspended" ? `${p.name} is suspended.` : `${p.name} is active again.`,
        );
      },
      onError: (error) => {
        if (body.status === "active") {
          onClose();
          toast.error(`${p.name} was not changed: ${error.message}`);
        }
      },
    });
  }

  return (
    <>
      <SuspendDialog
        open={dialog === "suspend"}
        partnerName={p.name}
        busy={update.isPending}
        error={dialog === "suspend" && update.isError ? update.error.message : null}
        onConfirm={(reason) => setStatus({ status: "suspended", suspendedReason: reason })}
        onCancel={() => {
          update.reset();
          onClose();
        }}
      />
      <ReactivateDialog
        open={dialog === "reactivate"}
        partnerName={p.name}
        busy={update.isPending}
        onConfirm={() => setStatus({ status: "active" })}
        onCancel={() => onClose()}
      />
    </>
  );
}
