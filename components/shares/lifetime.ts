import { z } from "zod";
import { SHARE_TTL_MAX_SECONDS, SHARE_TTL_MIN_SECONDS, SHARE_TTL_PRESETS } from "@/lib/schemas/shares";
import { formatTtl } from "./format";

/** The wizard's lifetime presets; only those within the partner's maximum are offered. */
export const WIZARD_TTL_PRESETS = SHARE_TTL_PRESETS.map((p) => p.seconds);

export const CUSTOM = "custom";
const UNIT_SECONDS = { minutes: 60, hours: 3_600 } as const;
type Unit = keyof typeof UNIT_SECONDS;

export type LifetimeForm = { choice: string; amount: string; unit: Unit };

/** The lifetime form's rules: 1 minute to 24 hours (Didit's bounds), and no more than the partner's maximum. */
export function lifetimeSchema(maxSeconds: number, partnerName: string) {
  return z
    .object({ choice: z.string(), amount: z.string(), unit: z.enum(["minutes", "hours"]) })
    .superRefine((v, ctx) => {
      const fail = (message: string) => ctx.addIssue({ code: "custom", path: ["amount"], message });
      if (v.choice !== CUSTOM) return;
      const raw = v.amount.trim();
      if (raw === "") return fail(`Enter the lifetime in ${v.unit}`);
      if (!/^\d+$/.test(raw)) return fail(`Enter a whole number of ${v.unit}`);
      const seconds = Number(raw) * UNIT_SECONDS[v.unit];
      if (seconds < SHARE_TTL_MIN_SECONDS) return fail("The lifetime must be at least 1 minute");
      if (seconds > SHARE_TTL_MAX_SECONDS) return fail("The lifetime must be at most 24 hours");
      if (seconds > maxSeconds)
        return fail(`${partnerName} accepts at most ${formatTtl(maxSeconds)}: choose a shorter lifetime`);
    });
}

/** The seconds a valid form stands for. */
export function lifetimeSeconds(v: LifetimeForm): number {
  return v.choice === CUSTOM ? Number(v.amount.trim()) * UNIT_SECONDS[v.unit] : Number(v.choice);
}

/** The presets to offer: the wizard's, within the partner's maximum, plus the partner's default. */
export function lifetimeOptions(defaultSeconds: number, maxSeconds: number): number[] {
  const options = new Set<number>(WIZARD_TTL_PRESETS.filter((s) => s <= maxSeconds));
  if (defaultSeconds <= maxSeconds) options.add(defaultSeconds);
  return [...options].sort((a, b) => a - b);
}

export function initialValues(
  current: number | null,
  defaultSeconds: number,
  maxSeconds: number,
): LifetimeForm {
  const wanted = current ?? defaultSeconds;
  if (lifetimeOptions(defaultSeconds, maxSeconds).includes(wanted))
    return { choice: String(wanted), amount: "", unit: "minutes" };
  const unit: Unit = wanted % 3_600 === 0 ? "hours" : "minutes";
  return { choice: CUSTOM, amount: String(Math.round(wanted / UNIT_SECONDS[unit])), unit };
}
