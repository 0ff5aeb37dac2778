import { useQuery } from "@tanstack/react-query";
import { ApiError, apiFetch, type ApiErrorBody } from "@/lib/client/api-fetch";
import type { EvidencePublicKeyDto } from "@/lib/schemas/evidence";

export const evidenceKeys = {
  all: ["evidence"] as const,
  publicKey: () => ["evidence", "public-key"] as const,
};

/** The instance's evidence signing key (its fingerprint is shown beside the download button). */
export function useEvidencePublicKey() {
  return useQuery({
    queryKey: evidenceKeys.publicKey(),
    queryFn: () => apiFetch<EvidencePublicKeyDto>("/api/evidence/public-key"),
    staleTime: 60 * 60 * 1000,
  });
}

export type DownloadedPack = { filename: string; blob: Blob; sha256: string | null };

/** Fetches a session's evidence pack (a ZIP, not JSON): our error envelope becomes ApiError. */
export async function fetchEvidencePack(sessionId: string): Promise<DownloadedPack> {
  let response: Response;
  try {
    response = await fetch(`/api/evidence/${encodeURIComponent(sessionId)}`, {
      credentials: "same-origin",
      headers: { accept: "application/zip, application/json" },
    });
  } catch {
    throw new ApiError(
      0,
      "network_error",
      "Could not reach the server. Check your connection and try again.",
    );
  }
  if (!response.ok) {
    const envelope = (await response.json().catch(() => null)) as ApiErrorBody | null;
    throw new ApiError(
      response.status,
      envelope?.error?.code ?? "http_error",
      envelope?.error?.message ?? `The server answered ${response.status}.`,
      envelope?.error?.details,
      envelope?.error?.requestId ?? response.headers.get("x-request-id") ?? undefined,
    );
  }
  const disposition = response.headers.get("content-disposition") ?? "";
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? `handoff-evidence-${sessionId}.zip`;
  return { filename, blob: await response.blob(), sha256: response.headers.get("x-evidence-sha256") };
}
