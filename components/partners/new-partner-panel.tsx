"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { QueryProvider } from "@/components/query-provider";
import { toast } from "@/components/ui/sonner";
import { useCreatePartner } from "@/lib/client/queries/partners";
import { EMPTY_PARTNER, PartnerForm } from "./partner-form";
import { SecretDialog } from "./secret-dialog";

/** The new-partner form; a shared secret issued with the partner is shown once before moving on. */
export function NewPartnerPanel() {
  return (
    <QueryProvider>
      <NewPartner />
    </QueryProvider>
  );
}

function NewPartner() {
  const router = useRouter();
  const create = useCreatePartner();
  const [revealed, setRevealed] = useState<{ id: string; partnerName: string; secret: string } | null>(null);

  return (
    <>
      <PartnerForm
        mode="create"
        initial={EMPTY_PARTNER}
        onCancel={() => router.push("/partners")}
        onSubmit={async (values) => {
          const { partner, secret } = await create.mutateAsync(values);
          toast.success(`${partner.name} is added.`);
          if (secret) setRevealed({ id: partner.id, partnerName: partner.name, secret });
          else router.push(`/partners/${partner.id}`);
        }}
      />
      <SecretDialog
        revealed={revealed}
        onClose={() => {
          const id = revealed?.id;
          setRevealed(null);
          if (id) router.push(`/partners/${id}`);
        }}
      />
    </>
  );
}
