import type { SessionKind } from "@/lib/schemas/sessions";

export const KIND_LABELS: Record<SessionKind, string> = { user: "KYC", business: "KYB" };

type Tone = "neutral" | "success" | "warning" | "danger" | "info";

/** Approved green, Declined red, In Review amber, the unfinished ones grey. */
export function statusTone(status: string): Tone {
  if (status === "Approved") return "success";
  if (status === "Declined") return "danger";
  if (status === "In Review" || status === "Resubmitted") return "warning";
  return "neutral";
}

/** `#1042`, or `—` when Didit gave no number. */
export const formatNumber = (n: number | null) => (n === null ? "—" : `#${n}`);

const ACRONYMS: Record<string, string> = { id: "ID", aml: "AML", ip: "IP", poa: "PoA", kyc: "KYC" };

/** `id_verifications` → `ID verifications`, `aml_screenings` → `AML screenings`. */
export function featureLabel(feature: string): string {
  const words = feature.split("_").map((w) => ACRONYMS[w] ?? w);
  const first = words[0] ?? "";
  words[0] = first.charAt(0).toUpperCase() + first.slice(1);
  return words.join(" ");
}

/** A check's status in either casing (`APPROVED`, `In Review`, `not_started`). */
export function checkTone(status: string): Tone {
  const s = status.replace(/_/g, " ").toLowerCase();
  if (s === "approved") return "success";
  if (s === "declined" || s === "rejected" || s === "failed") return "danger";
  if (s === "in review" || s === "resubmitted") return "warning";
  return "neutral";
}
