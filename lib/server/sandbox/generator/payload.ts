import "server-only";

import type { City } from "@/lib/server/sandbox/generator/locale-def";
import type { Locale } from "@/lib/server/sandbox/generator/locales";
import {
  int,
  isoDate,
  DAY,
  fromPattern,
  pick,
  score,
  uuid,
  type Rng,
} from "@/lib/server/sandbox/generator/random";
import { AML_SOURCES } from "@/lib/server/sandbox/generator/reference-data";
import { mediaPath, type MediaKind } from "@/lib/server/sandbox/media";

/** Pieces the KYC and KYB payloads share: media paths, addresses, AML hits. */

export type Media = (name: string) => string;

export function mediaFor(kind: MediaKind, seed: number): Media {
  return (name) => mediaPath(kind, seed, name);
}

export type Address = { line: string; street: string; city: City; postal: string };

export function address(r: Rng, locale: Locale): Address {
  const street = pick(r, locale.streets);
  const city = pick(r, locale.cities);
  const postal = fromPattern(r, locale.postal);
  return { line: locale.address(street, int(r, 1, 180), postal, city), street, city, postal };
}

export function parsedAddress(a: Address, locale: Locale) {
  return {
    street: a.street,
    city: a.city.name,
    region: a.city.region,
    postal_code: a.postal,
    country: locale.a2,
    latitude: a.city.lat,
    longitude: a.city.lon,
  };
}

export type AmlHitSpec = { datasets: string[]; scoreLo: number; scoreHi: number; review: string };

export function amlHit(
  r: Rng,
  name: string,
  birthDate: string | null,
  country: string,
  entityType: string,
  spec: AmlHitSpec,
  createdMs: number,
) {
  const sources: string[] = [];
  for (const d of spec.datasets) sources.push(pick(r, AML_SOURCES[d] ?? ["Watchlist"]));
  return {
    id: `aml-${uuid(r).slice(0, 13)}`,
    entity_type: entityType,
    entity_name: name,
    match_score: score(r, spec.scoreLo, spec.scoreHi),
    datasets: spec.datasets,
    sources,
    countries: [country],
    birth_date: birthDate,
    first_seen: isoDate(createdMs - int(r, 200, 3000) * DAY),
    last_seen: isoDate(createdMs - int(r, 1, 60) * DAY),
    review_status: spec.review,
  };
}
