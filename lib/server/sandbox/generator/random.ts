import "server-only";

/**
 * The generator's seeded randomness: the mulberry32 stream, pickers, number patterns, UUIDs and the
 * date helpers the draws feed. Every function here consumes draws in a fixed order; the generated
 * sessions depend on it.
 */

/** Numbers are used as given (reduced to 32 bits); strings are hashed. */
export type Seed = number | string;

export type Rng = () => number;

/** mulberry32: tiny, fast, good enough for test data. */
export function mulberry32(seed: number): Rng {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** The 32-bit seed used for streams and media names. */
export function normalizeSeed(seed: Seed): number {
  if (typeof seed === "string") {
    let h = 0x811c9dc5;
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
    return h >>> 0;
  }
  if (!Number.isFinite(seed)) return 0;
  const n = Math.trunc(seed);
  const hi = Math.floor(n / 4294967296);
  // Seeds within 32 bits are kept as they are (media names show them); wider ones fold their high bits in.
  return hi === 0 ? n >>> 0 : ((n >>> 0) ^ mix32(hi >>> 0)) >>> 0;
}

export const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
export const pick = <T>(r: Rng, arr: readonly T[]): T => arr[Math.floor(r() * arr.length)] as T;
export const chance = (r: Rng, p: number) => r() < p;

/** A score in [lo, hi]: sometimes whole (100.0-like), usually with one or two decimals. */
export function score(r: Rng, lo: number, hi: number): number {
  const x = lo + r() * (hi - lo);
  const mode = r();
  if (mode < 0.25) return Math.round(x);
  if (mode < 0.85) return Math.round(x * 10) / 10;
  return Math.round(x * 100) / 100;
}

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ALNUM = "ABCDEFGHJKLMNPRTUVWXYZ0123456789";
const HEX = "0123456789abcdef";

export function fromPattern(r: Rng, pattern: string): string {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "9" || c === "#") out += Math.floor(r() * 10);
    else if (c === "8") out += 1 + Math.floor(r() * 9);
    else if (c === "A") out += LETTERS[Math.floor(r() * 26)];
    else if (c === "X") out += ALNUM[Math.floor(r() * ALNUM.length)];
    else out += c;
  }
  return out;
}

export function uuid(r: Rng): string {
  let s = "";
  for (let i = 0; i < 32; i++) {
    let d = Math.floor(r() * 16);
    if (i === 12) d = 4;
    else if (i === 16) d = 8 + (d & 3);
    s += HEX[d];
    if (i === 7 || i === 11 || i === 15 || i === 19) s += "-";
  }
  return s;
}

export const DAY = 86_400_000;
export const YEAR = 365.25 * DAY;
export const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const isoTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString();

export function ageAt(dobMs: number, atMs: number): number {
  const a = new Date(atMs);
  const b = new Date(dobMs);
  let age = a.getUTCFullYear() - b.getUTCFullYear();
  if (
    a.getUTCMonth() < b.getUTCMonth() ||
    (a.getUTCMonth() === b.getUTCMonth() && a.getUTCDate() < b.getUTCDate())
  )
    age--;
  return age;
}
