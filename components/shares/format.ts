import type { ShareChannelDto, ShareStateDto } from "@/lib/schemas/shares";

/** `2 h 05 min left`, `12 min 05 s left`, `40 s left`; `expired` once the moment has passed. */
export function formatCountdown(expiresAt: string | Date, now: Date): string {
  const ms = new Date(expiresAt).getTime() - now.getTime();
  if (Number.isNaN(ms)) return "—";
  if (ms <= 0) return "expired";
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (h > 0) return `${h} h ${pad(m)} min left`;
  if (m > 0) return `${m} min ${pad(s)} s left`;
  return `${s} s left`;
}

/** A lifetime in words: `15 minutes`, `1 hour`, `1 hour 30 minutes`, `90 seconds`. */
export function formatTtl(seconds: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (seconds % 60 !== 0) return plural(seconds, "second");
  const minutes = seconds / 60;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return plural(m, "minute");
  return m === 0 ? plural(h, "hour") : `${plural(h, "hour")} ${plural(m, "minute")}`;
}

export const CHANNEL_LABELS: Record<ShareChannelDto, string> = {
  internal: "Internal",
  push: "Push",
  pickup: "Pick-up",
  manual: "Manual",
};

export const STATE_LABELS: Record<ShareStateDto, string> = {
  pending: "Pending",
  delivered: "Delivered",
  picked_up: "Picked up",
  failed: "Failed",
  expired: "Expired",
  revoked: "Revoked",
};

export const STATE_TONES: Record<ShareStateDto, "neutral" | "success" | "warning" | "danger" | "info"> = {
  pending: "info",
  delivered: "success",
  picked_up: "success",
  failed: "danger",
  expired: "neutral",
  revoked: "warning",
};

export const KIND_LABELS = { user: "KYC", business: "KYB" } as const;

/** What happens to the token once the share is confirmed, per delivery channel. */
export function channelOutcome(
  channel: ShareChannelDto,
  partnerName: string,
  pushUrl: string | null,
): string {
  switch (channel) {
    case "internal":
      return `Goes straight to ${partnerName}'s inbox in this console (no network hop).`;
    case "push":
      return `Pushed to ${pushUrl ?? "the partner's inbox URL"}, signed with the partner's secret and retried until it expires.`;
    case "pickup":
      return `Waits for ${partnerName} to pick it up through the partner API (once).`;
    case "manual":
      return `You reveal it once and hand it to ${partnerName} yourself.`;
  }
}
