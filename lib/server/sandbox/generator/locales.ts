import "server-only";

import type { City, DocType, NamePart, LocaleDef } from "@/lib/server/sandbox/generator/locale-def";
import { DE, ES, FR, GB, GR, PL } from "@/lib/server/sandbox/generator/locales-europe";
import { BR, EG, JP, TR, VN } from "@/lib/server/sandbox/generator/locales-world";

/** A locale's sample data as the generator uses it: the lists of its definition parsed. */
export type Locale = {
  tag: string;
  a2: string;
  a3: string;
  country: string;
  timeZone: string;
  tzOffset: string;
  currency: string;
  male: NamePart[];
  female: NamePart[];
  last: NamePart[];
  lastFemale: NamePart[];
  doubleSurname: boolean;
  familyFirst: boolean;
  cities: City[];
  streets: string[];
  postal: string;
  address: (street: string, no: number, postal: string, city: City) => string;
  docTypes: DocType[];
  docs: Partial<Record<DocType, string>>;
  phonePrefix: string;
  phonePattern: string;
  carriers: string[];
  ipPrefixes: string[];
  isps: string[];
  poaIssuers: string[];
  coA: { word: string; sector: string }[];
  coB: string[];
  forms: string[];
  company: (a: string, b: string, form: string) => string;
  registry: string;
  regPattern: string;
  shareCapital: [number, number];
};

const FOLD: Record<string, string> = {
  ł: "l",
  Ł: "L",
  ß: "ss",
  ı: "i",
  đ: "d",
  Đ: "D",
  ø: "o",
  æ: "ae",
  "'": "",
};

/** Latin transliteration for e-mail handles: strips diacritics and maps the letters NFD keeps. */
export function asciiFold(s: string): string {
  return s
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/[łŁßıđĐøæ']/g, (c) => FOLD[c] ?? c);
}

function names(list: string): NamePart[] {
  return list.split(",").map((entry) => {
    const [n, l] = entry.split("|") as [string, string | undefined];
    return { n, l: asciiFold(l ?? n) };
  });
}

function cities(list: string): City[] {
  return list.split(";").map((entry) => {
    const [name, region, lat, lon] = entry.split("|") as [string, string, string, string];
    return { name, region, lat: Number(lat), lon: Number(lon) };
  });
}

const list = (s: string) => s.split(",");

/** The order is part of the output: seeds pick locales by index. */
const DEFS: LocaleDef[] = [ES, DE, PL, TR, GR, JP, VN, EG, FR, GB, BR];

function parseLocale(d: LocaleDef): Locale {
  const last = names(d.last);
  return {
    tag: d.tag,
    a2: d.a2,
    a3: d.a3,
    country: d.country,
    timeZone: d.timeZone,
    tzOffset: d.tzOffset,
    currency: d.currency,
    male: names(d.male),
    female: names(d.female),
    last,
    lastFemale: d.lastFemale ? names(d.lastFemale) : last,
    doubleSurname: d.doubleSurname ?? false,
    familyFirst: d.familyFirst ?? false,
    cities: cities(d.cities),
    streets: list(d.streets),
    postal: d.postal,
    address: d.address,
    docTypes: Object.keys(d.docs) as DocType[],
    docs: d.docs,
    phonePrefix: d.phonePrefix,
    phonePattern: d.phonePattern,
    carriers: list(d.carriers),
    ipPrefixes: list(d.ipPrefixes),
    isps: list(d.isps),
    poaIssuers: list(d.poaIssuers),
    coA: list(d.coA).map((e) => {
      const [word, sector] = e.split("#") as [string, string];
      return { word, sector };
    }),
    coB: list(d.coB),
    forms: list(d.forms),
    company: d.company,
    registry: d.registry,
    regPattern: d.regPattern,
    shareCapital: d.shareCapital,
  };
}

export const LOCALES: readonly Locale[] = DEFS.map(parseLocale);
