"use client";

import { useMutation } from "@tanstack/react-query";
import { Download, KeyRound } from "lucide-react";
import { QueryProvider } from "@/components/query-provider";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { formatFingerprint } from "./format";
import { fetchEvidencePack, useEvidencePublicKey } from "@/lib/client/queries/evidence";

/**
 * "Download evidence pack" for an auditor: the signed ZIP of one session (GET /api/evidence/{id}),
 * with the instance key's fingerprint beside it to compare with the pack's. Read-only, so no
 * confirmation; progress and errors are shown in place.
 */
export function EvidenceDownloadButton({ sessionId }: { sessionId: string }) {
  // Its own provider: it sits in page headers, outside the panels that bring TanStack Query.
  return (
    <QueryProvider>
      <DownloadButton sessionId={sessionId} />
    </QueryProvider>
  );
}

function DownloadButton({ sessionId }: { sessionId: string }) {
  const key = useEvidencePublicKey();
  const download = useMutation({
    mutationFn: () => fetchEvidencePack(sessionId),
    onSuccess: ({ blob, filename }) => {
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = filename;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  });
  return (
    <div className="flex max-w-md flex-col items-end gap-2 text-right">
      <Button
        variant="secondary"
        pending={download.isPending}
        onClick={() => download.mutate()}
        aria-describedby="evidence-key-fingerprint"
      >
        <Download aria-hidden />
        {download.isPending ? "Preparing evidence pack…" : "Download evidence pack"}
      </Button>
      <p id="evidence-key-fingerprint" className="flex items-center gap-1 text-xs text-slate-600">
        <KeyRound className="size-3.5 shrink-0" aria-hidden />
        {key.data ? (
          <span>
            Signed with Ed25519 key{" "}
            <code className="font-mono break-all" data-testid="evidence-key-fingerprint">
              {formatFingerprint(key.data.fingerprint)}
            </code>
          </span>
        ) : key.isError ? (
          <span>The signing key could not be loaded.</span>
        ) : (
          <span>Loading the signing key…</span>
        )}
      </p>
      {download.isSuccess && (
        <p role="status" className="text-xs text-emerald-700">
          Downloaded {download.data.filename}
          {download.data.sha256 ? ` (SHA-256 ${download.data.sha256.slice(0, 16)}…)` : ""}. Check it with{" "}
          <code>npm run evidence:verify</code>.
        </p>
      )}
      {download.isError && (
        <Alert tone="error" title="The evidence pack could not be made" className="text-left">
          {download.error.message}
        </Alert>
      )}
    </div>
  );
}
