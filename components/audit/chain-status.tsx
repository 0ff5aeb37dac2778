"use client";

import { ShieldAlert, ShieldCheck } from "lucide-react";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { useAuditChain } from "@/lib/client/queries/audit";

/** Whether the audit trail's hash chain is intact, checked by the server on every visit. */
export function ChainStatus() {
  const chain = useAuditChain();
  if (chain.isPending) {
    return (
      <div role="status" aria-label="Chain verification" className="flex items-center gap-3">
        <Skeleton className="h-10 w-full" />
        <span className="sr-only">Verifying the audit chain…</span>
      </div>
    );
  }
  if (chain.isError) return <Alert>Could not verify the chain: {chain.error.message}</Alert>;
  if (chain.data.ok) {
    return (
      <div
        role="status"
        aria-label="Chain verification"
        className="flex flex-wrap items-center gap-3 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900"
      >
        <ShieldCheck className="size-5 text-emerald-700" aria-hidden />
        <Badge tone="success">Chain verified</Badge>
        <span>{chain.data.checked.toLocaleString("en-GB")} events, every hash intact.</span>
        <Button
          size="sm"
          variant="ghost"
          className="ml-auto"
          onClick={() => void chain.refetch()}
          pending={chain.isFetching}
        >
          {chain.isFetching ? "Verifying…" : "Verify again"}
        </Button>
      </div>
    );
  }
  return (
    <div
      role="alert"
      aria-label="Chain verification"
      className="flex flex-wrap items-center gap-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800"
    >
      <ShieldAlert className="size-5 text-red-700" aria-hidden />
      <Badge tone="danger">Chain broken</Badge>
      <span>{chain.data.message}</span>
    </div>
  );
}
