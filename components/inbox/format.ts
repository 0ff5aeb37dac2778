import type { InboxItemDto, InboxStateDto } from "@/lib/schemas/inbox";

export const INBOX_STATE_TONES: Record<InboxStateDto, "neutral" | "success" | "warning" | "danger" | "info"> =
  {
    pending: "info",
    importing: "info",
    imported: "success",
    rejected: "warning",
    expired: "neutral",
    failed: "danger",
    withdrawn: "warning",
    invalid: "danger",
  };

/** The claims banner's first words, as the item page and the Playwright spec read them. */
export const UNVERIFIED_NOTE =
  "Unverified: the claims below are what the token says; only Didit can confirm them on import.";

type Verification = {
  /** The badge beside the state (null: the state badge says it already). */
  badge: string | null;
  tone: "neutral" | "success" | "warning" | "danger";
  /** What is known of who sent the token, kept apart from whether Didit minted it. */
  sender: string;
  /** Whether the token's claims are confirmed. */
  token: string;
};

/**
 * What the inbox says of a token's origin. A partner's signature proves who delivered it, not that
 * Didit minted it: the two are worded apart, and only Didit's acceptance on import verifies a token.
 */
export function describeVerification(
  item: Pick<InboxItemDto, "verification" | "verifiedBy" | "source" | "partnerName">,
): Verification {
  const partner = item.partnerName ?? "an unlisted sender";
  const sender =
    item.source === "push" || item.source === "pickup"
      ? `Sent by partner ${partner} (signature verified).`
      : item.source === "internal"
        ? "Handed over by this console from our own share."
        : `Pasted by an officer: nothing proves who sent it; the claims name ${partner}.`;
  if (item.verification === "invalid") {
    return {
      badge: null,
      tone: "danger",
      sender,
      token: `Didit refused this token as invalid (malformed, or not signed by Didit): it is not counted as ${partner}'s.`,
    };
  }
  if (item.verification === "verified") {
    return {
      badge: item.verifiedBy === "own_share" ? "From our share" : "Verified by Didit",
      tone: "success",
      sender,
      token:
        item.verifiedBy === "own_share"
          ? "Token from Didit: this console received it in answer to our own share call."
          : "Token verified by Didit: Didit accepted it on import.",
    };
  }
  return { badge: "Unverified", tone: "warning", sender, token: UNVERIFIED_NOTE };
}

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
