import "server-only";

import {
  MAX_KEY_PEOPLE,
  person,
  type KybIdentity,
  type Person,
} from "@/lib/server/sandbox/generator/identity";
import { LOCALES, type Locale } from "@/lib/server/sandbox/generator/locales";
import { address, mediaFor, type Address, type Media } from "@/lib/server/sandbox/generator/payload";
import type { CheckStatus, KybStep, Progress } from "@/lib/server/sandbox/generator/plan";
import {
  chance,
  DAY,
  int,
  isoDate,
  mix32,
  mulberry32,
  pick,
  score,
  YEAR,
  type Rng,
} from "@/lib/server/sandbox/generator/random";
import { SECTORS } from "@/lib/server/sandbox/generator/reference-data";

const ROLES = ["Director", "Shareholder", "Legal Representative", "CEO"] as const;

export type KeyPerson = { p: Person; role: string; share: number; dob: string };

/**
 * What the KYB checks share: the payload stream and the facts several checks show (registered
 * address, incorporation date, sector, key people). Drawn before any check, in this order.
 */
export type KybContext = {
  r: Rng;
  id: KybIdentity;
  locale: Locale;
  progress: Progress<KybStep>;
  createdMs: number;
  media: Media;
  /** The failure or review reason of the session, on the step `progress.modeStep`. */
  mode: string | null;
  registered: Address;
  incorporationMs: number;
  sector: { code: string; description: string };
  people: KeyPerson[];
  /** The key person who carries a failure, review or expiry. */
  flagged: number;
};

/** The checks of one KYB feature (key people and documents give several); `isMode` as for KYC. */
export type KybCheck = Record<string, unknown>;
export type KybCheckBuilder = (c: KybContext, status: CheckStatus, isMode: boolean) => KybCheck[];

export function kybContext(id: KybIdentity): KybContext {
  const r = mulberry32(mix32(id.seed ^ 0x27d4eb2f));
  const { locale, progress, createdMs } = id;
  const media = mediaFor("kyb", id.seed);
  const mode = progress.mode;
  const registered = address(r, locale);
  const incorporationMs = createdMs - int(r, 200, 40 * 365) * DAY;
  const sector = SECTORS[id.sector] ?? {
    code: "82.99",
    description: "Other business support service activities",
  };
  const { people, flagged } = keyPeople(r, id);
  return {
    r,
    id,
    locale,
    progress,
    createdMs,
    media,
    mode,
    registered,
    incorporationMs,
    sector,
    people,
    flagged,
  };
}

/**
 * Key people: one to four (or as many as asked), at least one director; owners share 100 %.
 * The draw is made either way, so a seed's other data does not depend on the option. Then the
 * flagged one, drawn over the count as given (a fractional count draws over the fraction).
 */
function keyPeople(r: Rng, id: KybIdentity): { people: KeyPerson[]; flagged: number } {
  const { locale, createdMs } = id;
  const drawn = int(r, 1, 4);
  const n = id.keyPeopleCount === null ? drawn : Math.min(Math.max(1, id.keyPeopleCount), MAX_KEY_PEOPLE);
  const people: KeyPerson[] = [];
  let remaining = 100;
  for (let i = 0; i < n; i++) {
    const who = person(r, chance(r, 0.8) ? locale : pick(r, LOCALES));
    const role = i === 0 ? "Director" : pick(r, ROLES);
    const owner = role === "Shareholder" || i === 0 || chance(r, 0.3);
    let share = 0;
    if (owner && remaining > 0) {
      share = i === n - 1 ? remaining : Math.min(remaining, score(r, 5, remaining));
      share = Math.round(share * 10) / 10;
      remaining = Math.round((remaining - share) * 10) / 10;
    }
    people.push({
      p: who,
      role,
      share,
      dob: isoDate(createdMs - int(r, 25, 75) * YEAR - int(r, 0, 364) * DAY),
    });
  }
  return { people, flagged: int(r, 0, n - 1) };
}
