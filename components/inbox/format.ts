import type { InboxStateDto } from "@/lib/schemas/inbox";

export const INBOX_STATE_TONES: Record<InboxStateDto, "neutral" | "success" | "warning" | "danger" | "info"> =
  {
    pending: "info",
    importing: "info",
    imported: "success",
    rejected: "warning",
    expired: "neutral",
    failed: "danger",
    withdrawn: "warning",
  };

export const KIND_NAMES = { user: "KYC (user)", business: "KYB (business)" } as const;

const ACRONYMS = new Set(["id", "aml", "ip", "kyc", "kyb", "nfc", "pep"]);

/** Didit's feature keys as people read them: `ID_VERIFICATION` → "ID verification", `AML` → "AML". */
export function featureLabel(key: string): string {
  const words = key.replace(/[_-]+/g, " ").trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return key;
  const shown = words.map((w) => (ACRONYMS.has(w) ? w.toUpperCase() : w));
  shown[0] = shown[0]![0]!.toUpperCase() + shown[0]!.slice(1);
  return shown.join(" ");
}
