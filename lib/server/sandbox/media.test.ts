import { inflateSync } from "node:zlib";

import { describe, expect, it } from "vitest";

import { crc32, HEIGHT, mediaImage, mediaPath, parseMediaName, WIDTH } from "@/lib/server/sandbox/media";

function chunks(png: Buffer) {
  const out: { type: string; data: Buffer; crcOk: boolean }[] = [];
  let o = 8;
  while (o < png.length) {
    const len = png.readUInt32BE(o);
    const type = png.toString("ascii", o + 4, o + 8);
    const data = png.subarray(o + 8, o + 8 + len);
    const crc = png.readUInt32BE(o + 8 + len);
    out.push({ type, data, crcOk: crc === crc32(png.subarray(o + 4, o + 8 + len)) });
    o += 12 + len;
  }
  return out;
}

describe("media", () => {
  it("computes the standard CRC-32", () => {
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
    expect(crc32(Buffer.from("IEND"))).toBe(0xae426082);
  });

  it("builds paths the parser accepts and rejects everything else", () => {
    expect(mediaPath("kyc", 42, "front")).toBe("/sandbox/media/kyc-42-front.png");
    expect(parseMediaName("kyc-42-front.png")).toEqual({ kind: "kyc", seed: 42, name: "front" });
    expect(parseMediaName("kyb-4294967295-registry-extract.png")).toEqual({
      kind: "kyb",
      seed: 4294967295,
      name: "registry-extract",
    });
    for (const bad of [
      "kyc-42-unknown.png",
      "kyb-42-front.png",
      "kyc-042-front.png",
      "kyc-4294967296-front.png",
      "kyc-42-front.jpg",
      "kyc-42-front.png.exe",
      "../kyc-42-front.png",
      "kyc--1-front.png",
      "",
    ]) {
      expect(parseMediaName(bad)).toBeNull();
      expect(mediaImage(bad)).toBeNull();
    }
  });

  it("serves a valid, small, deterministic PNG of 64×40", () => {
    const image = mediaImage("kyc-7-portrait.png")!;
    expect(image.contentType).toBe("image/png");
    const png = image.body;
    expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(
      true,
    );
    expect(png.length).toBeLessThan(1024);
    const list = chunks(png);
    expect(list.map((c) => c.type)).toEqual(["IHDR", "IDAT", "IEND"]);
    expect(list.every((c) => c.crcOk)).toBe(true);
    const ihdr = list[0]!.data;
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ihdr[8], ihdr[9]]).toEqual([WIDTH, HEIGHT, 8, 2]);
    const raw = inflateSync(list[1]!.data);
    expect(raw.length).toBe((WIDTH * 3 + 1) * HEIGHT);
    // Same name, same bytes; another name, another image.
    expect(mediaImage("kyc-7-portrait.png")!.body.equals(png)).toBe(true);
    const other = inflateSync(chunks(mediaImage("kyc-8-portrait.png")!.body)[1]!.data);
    expect(other.equals(raw)).toBe(false);
  });
});
