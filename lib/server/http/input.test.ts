import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "./errors";
import { decodeUtf8, loneSurrogateFields, nulFields, readRawBody, validate, zodDetails } from "./input";

function caught(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}

describe("nulFields", () => {
  it("names every string and key holding U+0000, at any depth", () => {
    expect(
      nulFields({ a: "ok", b: "x\u0000", c: [{ d: "\u0000" }, "fine"], "e\u0000": 1, f: { g: 2 } }),
    ).toEqual(["b", "c.0.d", "e\u0000"]);
    expect(nulFields("\u0000")).toEqual([""]);
    expect(nulFields({ a: 1, b: null, c: true, d: ["x"] })).toEqual([]);
  });
});

describe("validate", () => {
  const schema = z.object({ name: z.string().max(3) });
  it("refuses NUL before the schema runs, 422 naming the field", () => {
    const error = caught(() => validate(schema, { name: "a\u0000", other: "b\u0000" }));
    expect(error.status).toBe(422);
    expect(error.details).toEqual({
      fields: { name: [expect.stringContaining("NUL")], other: [expect.stringContaining("NUL")] },
    });
  });
  it("reports schema failures by field", () => {
    const error = caught(() => validate(schema, { name: "toolong" }));
    expect(error.code).toBe("validation_failed");
    expect(Object.keys((error.details as { fields: object }).fields)).toEqual(["name"]);
  });
});

describe("readRawBody", () => {
  it("returns the exact bytes", async () => {
    const bytes = new Uint8Array([0x7b, 0xff, 0x00, 0x7d]);
    const req = new Request("http://x/", { method: "POST", body: bytes });
    expect(Array.from(await readRawBody(req, 10))).toEqual(Array.from(bytes));
  });
  it("refuses a body over the limit, declared or streamed", async () => {
    const declared = new Request("http://x/", { method: "POST", body: "x".repeat(11) });
    await expect(readRawBody(declared, 10)).rejects.toMatchObject({ code: "payload_too_large", status: 413 });
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(8));
      },
    });
    const chunked = new Request("http://x/", { method: "POST", body: stream, duplex: "half" } as RequestInit);
    await expect(readRawBody(chunked, 100)).rejects.toMatchObject({ code: "payload_too_large" });
  });
  it("reads an absent body as empty", async () => {
    expect((await readRawBody(new Request("http://x/"))).byteLength).toBe(0);
  });
});

describe("decodeUtf8", () => {
  it("decodes UTF-8 and refuses invalid sequences with 400", () => {
    expect(decodeUtf8(new TextEncoder().encode("Zoë 😀"))).toBe("Zoë 😀");
    expect(caught(() => decodeUtf8(new Uint8Array([0x22, 0xc0, 0xaf, 0x22]))).status).toBe(400);
  });
});

describe("nulFields on deep input", () => {
  it("walks half a million levels without overflowing the stack", () => {
    const depth = 500_000;
    const deep = JSON.parse("[".repeat(depth) + '"\\u0000"' + "]".repeat(depth)) as unknown;
    const started = Date.now();
    const [path] = nulFields(deep);
    expect(path!.split(".")).toHaveLength(depth);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(nulFields(JSON.parse("[".repeat(depth) + "]".repeat(depth)))).toEqual([]);
  });
});

describe("lone surrogates", () => {
  it("are refused like NUL: 422 naming the field, before any schema", () => {
    expect(loneSurrogateFields({ a: "ok \ud83d\ude00", b: "a\ud800b", c: ["\udc00"] })).toEqual(["b", "c.0"]);
    let caught: unknown;
    try {
      validate(z.object({ name: z.string() }), { name: "a\ud800b" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({
      code: "validation_failed",
      details: { fields: { name: [expect.stringMatching(/surrogate/)] } },
    });
  });
});

describe("a field named __proto__", () => {
  it("is reported like any other field, not a TypeError (a query ?__proto__=%00 answered 500)", () => {
    const nul = caught(() => validate(z.object({}), Object.fromEntries([["__proto__", "\u0000"]])));
    expect(nul.status).toBe(422);
    expect(JSON.parse(JSON.stringify(nul.details))).toEqual({
      fields: { ["__proto__"]: [expect.stringContaining("NUL")] },
    });
    const issue = { code: "custom" as const, path: ["__proto__"], message: "Not this", input: 1 };
    expect(Object.keys(zodDetails(new z.ZodError([issue])).fields)).toEqual(["__proto__"]);
  });
});
