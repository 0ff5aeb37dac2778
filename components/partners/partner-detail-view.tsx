"use client";

import { Copy, KeyRound, Pencil, Send, Users } from "lucide-react";
import { formatTtl } from "@/components/shares/format";
import { ShareStateBadge } from "@/components/shares/share-state-badge";
import Link from "next/link";
import { useState, type ReactNode } from "react";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import { Skeleton } from "@/components/ui/skeleton";
import { toast } from "@/components/ui/sonner";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { usePartner, useRotatePartnerSecret, useUpdatePartner } from "@/lib/client/queries/partners";
import { useApplicationOptions } from "@/lib/client/queries/applications";
import type { ApplicationWorkflow } from "@/lib/schemas/applications";
import { formatDate } from "@/lib/format";
import { CHANNEL_LABELS, DIRECTION_LABELS, KIND_LABELS, type PartnerDetailDto } from "@/lib/schemas/partners";
import { AgreementBadge, PartnerStatusBadge } from "./agreement-badge";
import { changedFields, formValuesOf, PartnerForm } from "./partner-form";
import { SecretDialog } from "./secret-dialog";
import { ReactivateDialog, RotateDialog, SuspendDialog } from "./status-dialogs";

export function DetailSkeleton() {
  return (
    <div role="status" aria-label="Loading the partner" className="space-y-6">
      <Skeleton className="h-10 w-72" />
      <Skeleton className="h-56 w-full" />
      <Skeleton className="h-40 w-full" />
    </div>
  );
}

/** In the share wizard's words ("15 minutes", "4 hours"). */
const ttl = formatTtl;

/** A workflow by the name its application gives it, its id on hover; else the id itself. */
function WorkflowName({ id, workflows }: { id: string | null; workflows: ApplicationWorkflow[] }) {
  if (!id) return <>application default</>;
  const named = workflows.find((w) => w.id === id);
  return named ? <span title={id}>{named.name}</span> : <code className="font-mono text-xs">{id}</code>;
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-600">{label}</dt>
      <dd className="mt-0.5 break-words text-sm text-slate-900">{children}</dd>
    </div>
  );
}

const none = <span className="text-slate-600">—</span>;

function missingAgreementFields(p: Pick<PartnerDetailDto, "agreementReference" | "agreementSignedOn">) {
  if (!p.agreementReference && !p.agreementSignedOn) return "reference and signing date";
  return p.agreementReference ? "signing date" : "reference";
}

async function copy(value: string, what: string) {
  try {
    await navigator.clipboard.writeText(value);
    toast.success(`${what} copied to the clipboard`);
  } catch {
    toast.error("Could not copy: select the text and copy it by hand");
  }
}

function CopyValue({ value, label }: { value: string; label: string }) {
  return (
    <span className="flex items-center gap-2">
      <code className="min-w-0 break-all rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-800">
        {value}
      </code>
      <Button
        size="icon"
        variant="ghost"
        className="size-7"
        aria-label={`Copy ${label}`}
        onClick={() => void copy(value, label)}
      >
        <Copy aria-hidden />
      </Button>
    </span>
  );
}

export function PartnerDetailView({ id, canManage }: { id: string; canManage: boolean }) {
  const partner = usePartner(id);
  if (partner.isPending) return <DetailSkeleton />;
  if (partner.isError) return <Alert>{partner.error.message}</Alert>;
  return <PartnerDetail partner={partner.data} canManage={canManage} />;
}

function PartnerDetail({ partner: p, canManage }: { partner: PartnerDetailDto; canManage: boolean }) {
  const update = useUpdatePartner(p.id);
  const rotate = useRotatePartnerSecret(p.id);
  const [editing, setEditing] = useState(false);
  const apps = useApplicationOptions();
  const workflows = apps.data?.items.find((a) => a.id === p.applicationId)?.workflows ?? [];
  const [dialog, setDialog] = useState<"suspend" | "reactivate" | "rotate" | null>(null);
  const [revealed, setRevealed] = useState<{
    partnerName: string;
    secret: string;
    previousExpiresAt: string | null;
  } | null>(null);

  function setStatus(body: { status: "suspended"; suspendedReason: string } | { status: "active" }) {
    update.mutate(body, {
      onSuccess: (updated) => {
        setDialog(null);
        toast.success(
          updated.status === "suspended" ? `${p.name} is suspended.` : `${p.name} is active again.`,
        );
      },
      onError: (error) => {
        if (body.status === "active") {
          setDialog(null);
          toast.error(`${p.name} was not changed: ${error.message}`);
        }
      },
    });
  }

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
          <Card title="Partnership">
            <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
              <Field label="Partner's Didit application">
                <code className="font-mono text-xs">{p.diditApplicationId}</code>
              </Field>
              <Field label="For our application">{p.application.name}</Field>
              <Field label="Direction">{DIRECTION_LABELS[p.direction]}</Field>
              <Field label="Agreement reference">{p.agreementReference ?? none}</Field>
              <Field label="Signed on">{p.agreementSignedOn ? formatDate(p.agreementSignedOn) : none}</Field>
              <Field label="Expires on">
                <span className="flex flex-wrap items-center gap-1.5">
                  {p.agreementExpiresOn
                    ? formatDate(p.agreementExpiresOn)
                    : p.agreementState === "none"
                      ? none
                      : "no end date"}
                  <AgreementBadge partner={p} />
                </span>
              </Field>
            </dl>
          </Card>

          <Card title="Sharing with them">
            <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
              <Field label="Session kinds">{p.allowedKinds.map((k) => KIND_LABELS[k]).join(", ")}</Field>
              <Field label="Statuses we may share">{p.allowedStatuses.join(", ")}</Field>
              <Field label="Token lifetime">
                default {ttl(p.defaultTtlSeconds)}, at most {ttl(p.maxTtlSeconds)}
              </Field>
              <Field label="Delivery channel">{CHANNEL_LABELS[p.deliveryChannel]}</Field>
              <Field label="Push URL">
                {p.pushUrl ? <code className="break-all font-mono text-xs">{p.pushUrl}</code> : none}
              </Field>
              <Field label="Partner API base URL">
                {p.partnerApiBaseUrl ? (
                  <code className="break-all font-mono text-xs">{p.partnerApiBaseUrl}</code>
                ) : (
                  none
                )}
              </Field>
            </dl>
          </Card>

          <Card title="Importing from them">
            <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
              <Field label="Import">{p.importMode === "auto" ? "Automatically on arrival" : "By hand"}</Field>
              <Field label="Trust their review">
                {p.trustReview ? "Yes: keep their status" : "No: land in In Review"}
              </Field>
              <Field label="Review SLA">{p.reviewSlaHours} hours</Field>
              <Field label="KYC import workflow">
                <WorkflowName id={p.importWorkflowUser} workflows={workflows} />
              </Field>
              <Field label="KYB import workflow">
                <WorkflowName id={p.importWorkflowBusiness} workflows={workflows} />
              </Field>
              <Field label="vendor_data template">
                {p.vendorDataTemplate ? (
                  <code className="font-mono text-xs">{p.vendorDataTemplate}</code>
                ) : (
                  none
                )}
              </Field>
              <Field label="Four eyes">{p.requireFourEyes ? "A second officer must confirm" : "No"}</Field>
              <Field label="Our partner id at this partner">
                {p.remotePartnerId ? <code className="font-mono text-xs">{p.remotePartnerId}</code> : none}
              </Field>
              <Field label="Pick-up from their console">
                {p.inboundPickup ? "On: polled for shares waiting for us" : "Off"}
              </Field>
              {(p.inboundPickup || p.pickupPolledAt) && (
                <Field label="Last pick-up poll">
                  {p.pickupPolledAt ? <DateTime value={p.pickupPolledAt} /> : "not yet"}
                </Field>
              )}
            </dl>
            {p.pickupError && (
              <div className="mt-4">
                <Alert title="The last pick-up poll failed">
                  {p.pickupError}. It is tried again at the next poll; check the partner API base URL, our
                  partner id there and the shared secret.
                </Alert>
              </div>
            )}
          </Card>
        </>
      )}

      <Card
        title={
          <>
            <KeyRound aria-hidden /> Partner API and shared secret
          </>
        }
        actions={
          canManage ? (
            <Button size="sm" variant="secondary" onClick={() => setDialog("rotate")}>
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

      <Card
        title={
          <>
            <Users aria-hidden /> Contacts
          </>
        }
      >
        {p.contacts.length === 0 ? (
          <p className="text-sm text-slate-600">
            No contacts recorded{canManage ? ": add them with Edit." : "."}
          </p>
        ) : (
          <ul className="grid gap-3 sm:grid-cols-2">
            {p.contacts.map((c, i) => (
              <li key={i} className="text-sm">
                <p className="font-medium text-slate-900">
                  {c.name}
                  {c.role && <span className="font-normal text-slate-600"> · {c.role}</span>}
                </p>
                {c.email && (
                  <a className="text-brand-700 underline-offset-4 hover:underline" href={`mailto:${c.email}`}>
                    {c.email}
                  </a>
                )}
                {c.phone && <p className="text-slate-700">{c.phone}</p>}
              </li>
            ))}
          </ul>
        )}
        {p.notes && <p className="mt-4 whitespace-pre-wrap text-sm text-slate-700">{p.notes}</p>}
      </Card>

      <Card
        title={
          <>
            <Send aria-hidden /> Recent shares
          </>
        }
      >
        {p.recentShares.length === 0 ? (
          <p className="text-sm text-slate-600">
            Nothing shared with {p.name} yet. Officers share from the Sessions page.
          </p>
        ) : (
          <Table aria-label={`Recent shares with ${p.name}`}>
            <TableHeader>
              <TableRow>
                <TableHead scope="col">Share</TableHead>
                <TableHead scope="col">Session</TableHead>
                <TableHead scope="col">State</TableHead>
                <TableHead scope="col">Created</TableHead>
                <TableHead scope="col">Expires</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {p.recentShares.map((s) => (
                <TableRow key={s.id}>
                  <TableCell>
                    <Link
                      href={`/shares/${s.id}`}
                      className="font-mono text-xs text-brand-700 underline-offset-4 hover:underline"
                      aria-label={`Share ${s.id}`}
                    >
                      {s.id.slice(0, 8)}
                    </Link>
                  </TableCell>
                  <TableCell>
                    {s.sessionNumber !== null ? `#${s.sessionNumber}` : s.sessionId.slice(0, 8)}{" "}
                    <span className="text-xs text-slate-600">{s.sessionKind === "user" ? "KYC" : "KYB"}</span>
                  </TableCell>
                  <TableCell>
                    <ShareStateBadge state={s.state} />
                  </TableCell>
                  <TableCell>
                    <DateTime value={s.createdAt} className="whitespace-nowrap" />
                  </TableCell>
                  <TableCell>
                    <DateTime value={s.expiresAt} className="whitespace-nowrap" />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Card>

      <SuspendDialog
        open={dialog === "suspend"}
        partnerName={p.name}
        busy={update.isPending}
        error={dialog === "suspend" && update.isError ? update.error.message : null}
        onConfirm={(reason) => setStatus({ status: "suspended", suspendedReason: reason })}
        onCancel={() => {
          update.reset();
          setDialog(null);
        }}
      />
      <ReactivateDialog
        open={dialog === "reactivate"}
        partnerName={p.name}
        busy={update.isPending}
        onConfirm={() => setStatus({ status: "active" })}
        onCancel={() => setDialog(null)}
      />
      <RotateDialog
        open={dialog === "rotate"}
        partnerName={p.name}
        hasSecret={p.secret !== null}
        busy={rotate.isPending}
        error={rotate.isError ? rotate.error.message : null}
        onConfirm={(input) =>
          rotate.mutate(input, {
            onSuccess: (result) => {
              setDialog(null);
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
          setDialog(null);
        }}
      />
      <SecretDialog revealed={revealed} onClose={() => setRevealed(null)} />
    </div>
  );
}
