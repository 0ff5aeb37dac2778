import type { DifferenceDto } from "@/lib/schemas/reviews";

/** The first 8 characters of a uuid: enough to tell sessions apart on screen (the title has the rest). */
export const shortId = (id: string | null | undefined) => (id ? id.slice(0, 8) : "—");

const ACRONYMS: Record<string, string> = {
  id: "ID",
  aml: "AML",
  ip: "IP",
  poa: "PoA",
  kyc: "KYC",
  kyb: "KYB",
  pep: "PEP",
  os: "OS",
  vpn: "VPN",
  url: "URL",
  nfc: "NFC",
  ubo: "UBO",
};

/** Didit's snake_case keys as people read them: `date_of_birth` → "Date of birth", `aml_screenings` → "AML screenings". */
export function humanKey(key: string): string {
  const words = key
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .split(/[_\s-]+/)
    .filter(Boolean)
    .map((w) => ACRONYMS[w.toLowerCase()] ?? w.toLowerCase());
  if (words.length === 0) return key;
  const first = words[0]!;
  words[0] = first.charAt(0).toUpperCase() + first.slice(1);
  return words.join(" ");
}

/** A media URL the review route rewrote (`/api/imports/{id}/media/{ref}`): shown as an image. */
export function isMediaUrl(value: unknown): value is string {
  return typeof value === "string" && /^\/api\/imports\/[0-9a-f-]{36}\/media\/[^\s]+$/i.test(value);
}

/** A scalar as text: Yes/No for booleans, — for nothing. */
export function scalarText(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (typeof value === "number")
    return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** `45 min`, `3 h 20 min`, `2 d 4 h`: a duration in the largest two units. */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 1) return "less than a minute";
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** "Due in 5 h" / "Overdue by 2 h" / "No SLA" from the review's due time. */
export function slaText(dueAt: string | null, now: Date): string {
  if (!dueAt) return "No due time";
  const ms = new Date(dueAt).getTime() - now.getTime();
  if (Number.isNaN(ms)) return "No due time";
  return ms >= 0 ? `Due in ${formatDuration(ms)}` : `Overdue by ${formatDuration(-ms)}`;
}

/** The differences that change a decision (status, new AML hits, an expired document, reviews) come first. */
export const PROMINENT_DIFFERENCES: ReadonlySet<DifferenceDto["kind"]> = new Set([
  "status_changed",
  "new_aml_hits",
  "document_expired",
  "reviews_added",
]);

/** One line per prominent difference, as the alert above the table says it. */
/**
 * A status difference that is only the import's doing: trust review was off, so the clone landed In
 * Review while the source kept the status it was shared with.
 */
export function isReviewLanding(
  d: DifferenceDto,
  statusWhenShared?: string | null,
  trustReview?: boolean,
): boolean {
  return (
    d.kind === "status_changed" &&
    trustReview === false &&
    d.clone === "In Review" &&
    (!statusWhenShared || statusWhenShared === d.source)
  );
}

/**
 * What the differences panel may say: nothing to compare once the source was erased, nothing
 * compared without the clone, else no differences or the list of them.
 */
export function sourceComparison(input: {
  erased: boolean;
  cloneReadable: boolean;
  differences: number;
}): "erased" | "not_compared" | "none" | "differences" {
  if (input.erased) return "erased";
  if (input.differences > 0) return "differences";
  return input.cloneReadable ? "none" : "not_compared";
}

export function differenceSentence(
  d: DifferenceDto,
  statusWhenShared?: string | null,
  trustReview?: boolean,
): string {
  switch (d.kind) {
    case "status_changed": {
      if (isReviewLanding(d, statusWhenShared, trustReview))
        return `Status: In Review on the clone because trust review was off for this import (it lands in review here, whatever the source's decision); ${scalarText(d.source)} at the source${statusWhenShared ? ", as when it was shared: the source did not change" : " now"}.`;
      const shared =
        statusWhenShared && statusWhenShared !== d.source
          ? ` It was ${statusWhenShared} when shared: the source changed since.`
          : "";
      return `Status: ${scalarText(d.clone)} on the clone, ${scalarText(d.source)} at the source now.${shared}`;
    }
    case "new_aml_hits":
      return `New AML hits at the source: ${scalarText(d.source)} now, ${scalarText(d.clone)} on the clone (${d.label}).`;
    case "document_expired":
      return `A document has expired since the share (${d.label}: ${scalarText(d.source)}).`;
    case "reviews_added":
      return `Reviews were added at the source since the share (${d.label}).`;
    default:
      return `${d.label}: ${scalarText(d.clone)} → ${scalarText(d.source)}`;
  }
}
