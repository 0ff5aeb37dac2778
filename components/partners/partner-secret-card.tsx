"use client";

import { KeyRound } from "lucide-react";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { toast } from "@/components/ui/sonner";
import { useRotatePartnerSecret } from "@/lib/client/queries/partners";
import type { PartnerDetailDto } from "@/lib/schemas/partners";
import { CopyValue, Field, none } from "./partner-detail-fields";
import { SecretDialog } from "./secret-dialog";
import { RotateDialog } from "./status-dialogs";

/** The partner API's addresses to give the partner, and the shared secret: issued, rotated, revealed once. */
export function SecretCard({ partner: p, canManage }: { partner: PartnerDetailDto; canManage: boolean }) {
  const [rotating, setRotating] = useState(false);
  return (
    <>
      <Card
        title={
          <>
            <KeyRound aria-hidden /> Partner API and shared secret
          </>
        }
        actions={
          canManage ? (
            <Button size="sm" variant="secondary" onClick={() => setRotating(true)}>
              {p.secret ? "Rotate secret" : "Issue secret"}
            </Button>
          ) : undefined
        }
      >
        <div className="space-y-4">
          {p.secretNeeded && (
            <Alert title="No shared secret">
              This partner&apos;s channel needs a Standard Webhooks secret and none is current.
              {canManage
                ? " Issue one and give it to the partner."
                : " A partnership manager must issue one."}
            </Alert>
          )}
          <dl className="grid gap-4 md:grid-cols-2">
            <Field label="Inbox URL to give the partner">
              {p.inboxUrl ? (
                <CopyValue value={p.inboxUrl} label="inbox URL" />
              ) : (
                <span className="text-slate-600">
                  Known once the console is reached at its public URL (HANDOFF_PUBLIC_URL).
                </span>
              )}
            </Field>
            <Field label="Partner id header (partner API)">
              <CopyValue
                value={`${p.partnerIdHeader.name}: ${p.partnerIdHeader.value}`}
                label="partner id header"
              />
            </Field>
            <Field label="Current secret">
              {p.secret ? (
                <span>
                  <code className="font-mono text-xs">whsec_…{p.secret.last4}</code>, issued{" "}
                  <DateTime value={p.secret.createdAt} />
                </span>
              ) : (
                "none issued"
              )}
            </Field>
            <Field label="Previous secrets">
              {p.secrets.filter((s) => s.state !== "current").length === 0 ? (
                none
              ) : (
                <ul className="space-y-1">
                  {p.secrets
                    .filter((s) => s.state !== "current")
                    .map((s) => (
                      <li key={s.id}>
                        <code className="font-mono text-xs">…{s.last4}</code>{" "}
                        {s.state === "overlap" ? (
                          <>
                            valid until <DateTime value={s.expiresAt!} />
                          </>
                        ) : (
                          <span className="text-slate-600">expired</span>
                        )}
                      </li>
                    ))}
                </ul>
              )}
            </Field>
          </dl>
        </div>
      </Card>
      <RotateSecret partner={p} open={rotating} onClose={() => setRotating(false)} />
    </>
  );
}

function RotateSecret({
  partner: p,
  open,
  onClose,
}: {
  partner: PartnerDetailDto;
  open: boolean;
  onClose: () => void;
}) {
  const rotate = useRotatePartnerSecret(p.id);
  const [revealed, setRevealed] = useState<{
    partnerName: string;
    secret: string;
    previousExpiresAt: string | null;
  } | null>(null);
  return (
    <>
      <RotateDialog
        open={open}
        partnerName={p.name}
        hasSecret={p.secret !== null}
        busy={rotate.isPending}
        error={rotate.isError ? rotate.error.message : null}
        onConfirm={(input) =>
          rotate.mutate(input, {
            onSuccess: (result) => {
              onClose();
              if (result.secret === null) {
                // Their secret, adopted: nothing to reveal (it was just typed in).
                toast.success(
                  `${p.name}'s secret is stored (…${result.last4}).${
                    result.previousExpiresAt
                      ? ` The previous one keeps working until ${new Date(result.previousExpiresAt).toUTCString()}.`
                      : ""
                  }`,
                );
              } else {
                setRevealed({
                  partnerName: p.name,
                  secret: result.secret,
                  previousExpiresAt: result.previousExpiresAt,
                });
              }
              rotate.reset();
            },
          })
        }
        onCancel={() => {
          rotate.reset();
          onClose();
        }}
      />
      <SecretDialog revealed={revealed} onClose={() => setRevealed(null)} />
    </>
  );
}
