"use client";

import { RotateCcw } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { toast } from "@/components/ui/sonner";
import { ApiError, apiFetch } from "@/lib/client/api-fetch";

/** Gives a dead-lettered job a fresh set of attempts (`POST /api/jobs/{id}/retry`), then re-reads the page. */
export function RetryJobButton({ jobId, queue }: { jobId: string; queue: string }) {
  const router = useRouter();
  const [sending, setSending] = useState(false);
  const [refreshing, startTransition] = useTransition();
  async function retry() {
    setSending(true);
    try {
      await apiFetch(`/api/jobs/${encodeURIComponent(jobId)}/retry`, { method: "POST" });
      toast.success(`The ${queue} job is queued again.`);
      startTransition(() => router.refresh());
    } catch (error) {
      toast.error(error instanceof ApiError ? error.message : "The job could not be retried.");
    } finally {
      setSending(false);
    }
  }
  return (
    <Button
      variant="secondary"
      size="sm"
      pending={sending || refreshing}
      onClick={retry}
      aria-label={`Retry the ${queue} job ${jobId.slice(0, 8)}`}
    >
      <RotateCcw aria-hidden /> Retry
    </Button>
  );
}
