"use client";

import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { DateTime } from "@/components/ui/date-time";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { OutboundReceiptStateDto } from "@/lib/schemas/inbox";
import { useInboxItem } from "./queries";

const RECEIPT_STATE: Record<OutboundReceiptStateDto, { label: string; tone: "info" | "success" | "danger" }> =
  {
    pending: { label: "Sending", tone: "info" },
    sent: { label: "Sent", tone: "success" },
    failed: { label: "Failed", tone: "danger" },
  };

/** An item's claims and the receipts sent back for it, read when its details are opened. */
export function InboxItemDetails({
  id,
  itemId,
  internal,
}: {
  id: string;
  itemId: string;
  internal: boolean;
}) {
  const detail = useInboxItem(itemId, true);
  if (detail.isPending)
    return (
      <div id={id} role="status" aria-label="Loading the details">
        <Skeleton className="h-16 w-full" />
      </div>
    );
  if (detail.isError)
    return (
      <div id={id}>
        <Alert title="The details could not be loaded">
          {detail.error.message}{" "}
          <Button variant="ghost" size="sm" onClick={() => void detail.refetch()}>
            Try again
          </Button>
        </Alert>
      </div>
    );
  const receipts = detail.data.receipts;
  const claims = Object.entries(detail.data.claims);
  return (
    <div id={id} className="space-y-2 border-t border-slate-100 pt-3">
      <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-600">
        {detail.data.verification === "verified"
          ? "The token's claims (confirmed by Didit)"
          : "The token's claims (not verified: only Didit can confirm them)"}
      </h3>
      <dl className="grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]">
        {claims.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="font-mono text-xs text-slate-600">{k}</dt>
            <dd className="break-all font-mono text-xs text-slate-900">{String(v)}</dd>
          </div>
        ))}
      </dl>
      <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-600">
        Receipts to the partner
      </h3>
      {receipts.length === 0 ? (
        <p className="text-sm text-slate-600">
          {internal
            ? "None to send: the sender is a sister brand in this console, so the import or rejection is written straight on its share."
            : "None: a receipt goes back once the token is imported or rejected, when the partner's console takes receipts."}
        </p>
      ) : (
        <Table aria-label="Receipts to the partner">
          <TableHeader>
            <TableRow>
              <TableHead scope="col">Receipt</TableHead>
              <TableHead scope="col">Clone session</TableHead>
              <TableHead scope="col">Delivery</TableHead>
              <TableHead scope="col">Attempts</TableHead>
              <TableHead scope="col">When</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {receipts.map((r) => (
              <TableRow key={r.id}>
                <TableCell>
                  {r.status === "imported" ? "Imported" : "Rejected"}
                  {r.reason && <span className="text-slate-600"> — {r.reason}</span>}
                </TableCell>
                <TableCell className="break-all font-mono text-xs">{r.cloneSessionId ?? "—"}</TableCell>
                <TableCell>
                  <Badge tone={RECEIPT_STATE[r.state].tone}>{RECEIPT_STATE[r.state].label}</Badge>
                  {r.lastError && <span className="ml-2 text-xs text-red-700">{r.lastError}</span>}
                </TableCell>
                <TableCell className="tabular-nums">{r.attempts}</TableCell>
                <TableCell>
                  <DateTime value={r.sentAt ?? r.createdAt} className="whitespace-nowrap" />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </div>
  );
}
