import "server-only";

import { deflateSync } from "node:zlib";

/**
 * Placeholder images of the sandbox: `/sandbox/media/<kind>-<seed>-<name>.png`, a 64×40 PNG whose
 * colours derive from the name, so the same path always serves the same bytes. Only the names the
 * generator uses exist; anything else is a 404.
 */

export type MediaKind = "kyc" | "kyb";

export const MEDIA_NAMES: Record<MediaKind, readonly string[]> = {
  kyc: ["front", "back", "portrait", "selfie", "liveness", "poa"],
  kyb: ["registry-extract", "incorporation", "articles", "address", "register"],
};

export const MEDIA_PREFIX = "/sandbox/media/";

/** The stored (relative) path of a media file; made absolute when rendered. */
export function mediaPath(kind: MediaKind, seed: number, name: string): string {
  return `${MEDIA_PREFIX}${kind}-${seed >>> 0}-${name}.png`;
}

const NAME_RE = /^(kyc|kyb)-(0|[1-9]\d{0,9})-([a-z][a-z-]*)\.png$/;

export function parseMediaName(file: string): { kind: MediaKind; seed: number; name: string } | null {
  const m = NAME_RE.exec(file);
  if (!m) return null;
  const kind = m[1] as MediaKind;
  const seed = Number(m[2]);
  const name = m[3] as string;
  if (seed > 0xffffffff || !MEDIA_NAMES[kind].includes(name)) return null;
  return { kind, seed, name };
}

export const WIDTH = 64;
export const HEIGHT = 40;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Hue from the hash, fixed saturation/lightness: readable, distinct colours. */
function colour(hash: number, lightness: number): [number, number, number] {
  const h = (hash % 360) / 60;
  const c = (1 - Math.abs(2 * lightness - 1)) * 0.55;
  const x = c * (1 - Math.abs((h % 2) - 1));
  const [r, g, b] =
    h < 1
      ? [c, x, 0]
      : h < 2
        ? [x, c, 0]
        : h < 3
          ? [0, c, x]
          : h < 4
            ? [0, x, c]
            : h < 5
              ? [x, 0, c]
              : [c, 0, x];
  const m = lightness - c / 2;
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}

/** A deterministic 64×40 RGB PNG: background, a header band and a block, coloured from `key`. */
export function placeholderPng(key: string): Buffer {
  const hash = fnv1a(key);
  const bg = colour(hash, 0.82);
  const band = colour(hash, 0.45);
  const block = colour(hash >>> 9, 0.6);
  const bx = 6 + (hash % 20);
  const raw = Buffer.alloc((WIDTH * 3 + 1) * HEIGHT);
  let o = 0;
  for (let y = 0; y < HEIGHT; y++) {
    raw[o++] = 0; // filter: none
    for (let x = 0; x < WIDTH; x++) {
      const px = y < 8 ? band : y >= 14 && y < 34 && x >= bx && x < bx + 16 ? block : bg;
      raw[o++] = px[0];
      raw[o++] = px[1];
      raw[o++] = px[2];
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(WIDTH, 0);
  ihdr.writeUInt32BE(HEIGHT, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const cache = new Map<string, Buffer>();
const CACHE_MAX = 256;

/** The image for a file name under /sandbox/media/, or null when the name is not one of ours. */
export function mediaImage(file: string): { body: Buffer; contentType: "image/png" } | null {
  if (!parseMediaName(file)) return null;
  let body = cache.get(file);
  if (!body) {
    body = placeholderPng(file);
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(file, body);
  }
  return { body, contentType: "image/png" };
}
