import "server-only";

import {
  kybIdentity,
  kybSummary,
  kycIdentity,
  kycSummary,
  type GenerateOptions,
} from "@/lib/server/sandbox/generator/identity";
import { buildKyb } from "@/lib/server/sandbox/generator/kyb";
import { buildKyc } from "@/lib/server/sandbox/generator/kyc";
import { normalizeSeed, type Seed } from "@/lib/server/sandbox/generator/random";
import type { SessionSummary } from "@/lib/server/sandbox/types";

/**
 * Deterministic synthetic Didit sessions: the same seed, kind, status and creation date always give
 * the same person or company, checks and media. The outcome of every check is consistent with the
 * session status (Declined has a failing check, In Review an ambiguous one, Approved only passing
 * ones; statuses before the user finishes have partial or empty features). Everything is invented.
 *
 * Two PRNG streams per seed: one for the identity (summary), one for the payload, so the summary can
 * be computed alone (`generateSummary`) and always matches `generateSession`.
 *
 * The parts, in lib/server/sandbox/generator/: random.ts (the seeded streams, pickers, patterns,
 * dates), warnings.ts, plan.ts (which checks a session has, with what status), identity.ts (the
 * person or company and the summary), kyc*.ts and kyb*.ts (the payloads, one builder per feature),
 * payload.ts (what both share); the invented data in locale-def.ts, locales*.ts, reference-data.ts.
 * The order of the draws is the output: moving one changes every session after it.
 */

export {
  KYB_FEATURE_NAMES,
  KYC_FEATURE_NAMES,
  MAX_KEY_PEOPLE,
  type GenerateOptions,
} from "@/lib/server/sandbox/generator/identity";
export { normalizeSeed, type Seed } from "@/lib/server/sandbox/generator/random";

export type GeneratedSession = { summary: SessionSummary; payload: Record<string, unknown> };

/** The summary alone (cheap: no payload), identical to `generateSession(...).summary`. */
export function generateSummary(seed: Seed, opts: GenerateOptions): SessionSummary {
  const s = normalizeSeed(seed);
  return opts.kind === "business" ? kybSummary(kybIdentity(s, opts)) : kycSummary(kycIdentity(s, opts));
}

export function generateSession(seed: Seed, opts: GenerateOptions): GeneratedSession {
  const s = normalizeSeed(seed);
  if (opts.kind === "business") {
    const id = kybIdentity(s, opts);
    return { summary: kybSummary(id), payload: buildKyb(id) };
  }
  const id = kycIdentity(s, opts);
  return { summary: kycSummary(id), payload: buildKyc(id) };
}
