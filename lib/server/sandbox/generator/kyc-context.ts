import "server-only";

import type { KycIdentity, Person } from "@/lib/server/sandbox/generator/identity";
import type { Locale } from "@/lib/server/sandbox/generator/locales";
import { address, mediaFor, type Address, type Media } from "@/lib/server/sandbox/generator/payload";
import type { CheckStatus, KycStep, Progress } from "@/lib/server/sandbox/generator/plan";
import {
  DAY,
  fromPattern,
  int,
  isoDate,
  isoTime,
  mix32,
  mulberry32,
  pick,
  YEAR,
  type Rng,
} from "@/lib/server/sandbox/generator/random";
import { DEVICES, type Device } from "@/lib/server/sandbox/generator/reference-data";

/**
 * What the KYC checks share: the payload stream and the facts several checks show (birth date,
 * document dates and number, home address, device). Drawn before any check, in this order.
 */
export type KycContext = {
  r: Rng;
  id: KycIdentity;
  p: Person;
  issuing: Locale;
  progress: Progress<KycStep>;
  createdMs: number;
  media: Media;
  /** The failure or review reason of the session, on the step `progress.modeStep`. */
  mode: string | null;
  /** A time `minutes` after creation, with a drawn second. */
  at: (minutes: number) => string;
  dobMs: number;
  dob: string;
  issueMs: number;
  expiryMs: number;
  home: Address;
  docNumber: string;
  nationality: string;
  device: Device;
};

/** One finished check of a KYC payload; `isMode` when the session's failure or review is on it. */
export type KycCheck = Record<string, unknown>;
export type KycCheckBuilder = (c: KycContext, status: CheckStatus, isMode: boolean) => KycCheck;

export function kycContext(id: KycIdentity): KycContext {
  const r = mulberry32(mix32(id.seed ^ 0xc2b2ae35));
  const { issuing, person: p, progress, createdMs } = id;
  const media = mediaFor("kyc", id.seed);
  const mode = progress.mode;
  const at = (minutes: number) => isoTime(createdMs + minutes * 60_000 + int(r, 0, 59) * 1000);

  const dobMs = createdMs - int(r, 18, 78) * YEAR - int(r, 0, 364) * DAY;
  const dob = isoDate(dobMs);
  const validity = id.docType === "Residence Permit" ? 5 : id.docType === "Driver's License" ? 15 : 10;
  let issueMs = createdMs - int(r, 30, (validity - 1) * 365) * DAY;
  let expiryMs = issueMs + validity * YEAR;
  if (mode === "document_expired") {
    expiryMs = createdMs - int(r, 10, 700) * DAY;
    issueMs = expiryMs - validity * YEAR;
  } else if (progress.outcome === "kyc_expired") {
    expiryMs = createdMs + int(r, 5, 120) * DAY;
    issueMs = expiryMs - validity * YEAR;
  }
  const home = address(r, issuing);
  const docNumber = fromPattern(r, issuing.docs[id.docType] ?? "999999999");
  const nationality = p.locale.a3;
  const device = pick(r, DEVICES);
  return {
    r,
    id,
    p,
    issuing,
    progress,
    createdMs,
    media,
    mode,
    at,
    dobMs,
    dob,
    issueMs,
    expiryMs,
    home,
    docNumber,
    nationality,
    device,
  };
}
