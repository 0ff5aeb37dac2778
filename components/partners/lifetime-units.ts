import { SHARE_TTL_PRESETS } from "@/lib/schemas/shares";

/**
 * The partner form's lifetimes in the share wizard's units (minutes or hours); the API keeps
 * seconds. Pure, so the conversions are unit-tested.
 */
export const LIFETIME_UNITS = { minutes: 60, hours: 3_600 } as const;
export type LifetimeUnit = keyof typeof LIFETIME_UNITS;
export type LifetimeAmount = { amount: string; unit: LifetimeUnit };

/** The wizard's presets, offered as quick picks beside the amount. */
export const PARTNER_TTL_PRESETS = SHARE_TTL_PRESETS;

/** Seconds as the form shows them: whole hours in hours, else whole minutes (rounded up). */
export function amountOfSeconds(seconds: number): LifetimeAmount {
  if (!Number.isFinite(seconds) || seconds <= 0) return { amount: "", unit: "minutes" };
  if (seconds % LIFETIME_UNITS.hours === 0) return { amount: String(seconds / 3_600), unit: "hours" };
  return { amount: String(Math.ceil(seconds / LIFETIME_UNITS.minutes)), unit: "minutes" };
}

/** The seconds an amount stands for, or NaN when it is not a whole number (the schema says so). */
export function secondsOfAmount(v: LifetimeAmount): number {
  const raw = v.amount.trim();
  if (!/^\d{1,6}$/.test(raw)) return Number.NaN;
  return Number(raw) * LIFETIME_UNITS[v.unit];
}
