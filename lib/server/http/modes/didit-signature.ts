import "server-only";
import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Didit's `X-Signature-V2` (didit-api.md §6), verified the way Didit's own Python does it:
 * `json.dumps(shorten_floats(json.loads(raw)), sort_keys=True, separators=(",", ":"),
 * ensure_ascii=False)`. JSON.parse cannot be used for this: it loses integers above 2^53, which
 * Python keeps exactly. So this is a small strict JSON reader that keeps each number's text and
 * writes the canonical form directly:
 * - an integer literal stays as written (`-0` → `0`); a literal with a fraction or exponent is a
 *   float: whole-valued → its exact integer digits (`100.0` → `100`, `1e21` → 21 digits), else
 *   Python's repr (shortest round-trip digits, exponent form below 1e-4: `1e-07`);
 * - object keys sorted by code point at every level, a repeated key keeps its last value;
 * - strings with only `"`, `\`, and control characters escaped, everything else literal.
 */
export function canonicalDiditJson(text: string): string {
  const reader = new Reader(text);
  reader.space();
  const out = reader.value();
  reader.space();
  if (!reader.done()) reader.fail();
  return out;
}

class Reader {
  private i = 0;
  constructor(private readonly s: string) {}

  done(): boolean {
    return this.i >= this.s.length;
  }
  fail(): never {
    throw new SyntaxError(`Invalid JSON at offset ${this.i}`);
  }
  space(): void {
    while (this.i < this.s.length && " \t\n\r".includes(this.s[this.i]!)) this.i++;
  }
  private expect(char: string): void {
    if (this.s[this.i] === char) this.i++;
    else this.fail();
  }

  value(): string {
    const c = this.s[this.i];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return quote(this.string());
    for (const literal of ["true", "false", "null"]) {
      if (this.s.startsWith(literal, this.i)) {
        this.i += literal.length;
        return literal;
      }
    }
    return this.number();
  }

  private object(): string {
    this.i++;
    const members = new Map<string, string>();
    this.space();
    if (this.s[this.i] === "}") {
      this.i++;
      return "{}";
    }
    for (;;) {
      this.space();
      if (this.s[this.i] !== '"') this.fail();
      const key = this.string();
      this.space();
      this.expect(":");
      this.space();
      members.set(key, this.value());
      this.space();
      if (this.s[this.i] === ",") this.i++;
      else if (this.s[this.i] === "}") {
        this.i++;
        break;
      } else this.fail();
    }
    const keys = [...members.keys()].sort(compareCodePoints);
    return "{" + keys.map((k) => quote(k) + ":" + members.get(k)!).join(",") + "}";
  }

  private array(): string {
    this.i++;
    const items: string[] = [];
    this.space();
    if (this.s[this.i] === "]") {
      this.i++;
      return "[]";
    }
    for (;;) {
      this.space();
      items.push(this.value());
      this.space();
      if (this.s[this.i] === ",") this.i++;
      else if (this.s[this.i] === "]") {
        this.i++;
        break;
      } else this.fail();
    }
    return "[" + items.join(",") + "]";
  }

  private string(): string {
    this.i++;
    let out = "";
    for (;;) {
      if (this.i >= this.s.length) this.fail();
      const c = this.s.charCodeAt(this.i);
      if (c === 0x22) {
        this.i++;
        return out;
      }
      if (c < 0x20) this.fail();
      if (c !== 0x5c) {
        out += this.s[this.i++];
        continue;
      }
      const e = this.s[this.i + 1];
      this.i += 2;
      const simple = e === undefined ? undefined : ESCAPES_IN[e];
      if (simple !== undefined) out += simple;
      else if (e === "u") {
        const hex = this.s.slice(this.i, this.i + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail();
        out += String.fromCharCode(parseInt(hex, 16));
        this.i += 4;
      } else this.fail();
    }
  }

  private number(): string {
    NUMBER_RE.lastIndex = this.i;
    const m = NUMBER_RE.exec(this.s);
    if (!m) this.fail();
    this.i += m[0].length;
    return formatNumberLiteral(m[0]);
  }
}

const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

const ESCAPES_IN: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/** One JSON number literal as Python would write it back after `shorten_floats`. */
export function formatNumberLiteral(literal: string): string {
  if (/^-?\d+$/.test(literal)) return literal === "-0" ? "0" : literal;
  const n = Number(literal);
  if (!Number.isFinite(n)) return n > 0 ? "Infinity" : "-Infinity"; // Python: float("1e400"), allow_nan
  if (Number.isInteger(n)) return BigInt(n).toString(); // also -0.0 → 0
  return pythonFloatRepr(n);
}

/** Python's `repr(float)` for a finite, non-integral value. */
export function pythonFloatRepr(n: number): string {
  const exp = n.toExponential(); // shortest round-trip digits, e.g. "-9.54e+1", "1e-7"
  const sign = n < 0 ? "-" : "";
  const e = exp.indexOf("e");
  const digits = exp.slice(sign.length, e).replace(".", "");
  const exponent = Number(exp.slice(e + 1));
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
    const whole = exponent + 1;
    if (digits.length <= whole) return `${sign}${digits.padEnd(whole, "0")}.0`;
    return `${sign}${digits.slice(0, whole)}.${digits.slice(whole)}`;
  }
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const abs = Math.abs(exponent);
  return `${sign}${mantissa}e${exponent < 0 ? "-" : "+"}${abs < 10 ? "0" : ""}${abs}`;
}

const ESCAPES_OUT: Record<number, string> = {
  0x22: '\\"',
  0x5c: "\\\\",
  0x0a: "\\n",
  0x0d: "\\r",
  0x09: "\\t",
  0x08: "\\b",
  0x0c: "\\f",
};

/** Python's `ensure_ascii=False` quoting; a lone surrogate (unencodable in UTF-8) is escaped. */
function quote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const short = ESCAPES_OUT[c];
    if (short !== undefined) out += short;
    else if (c < 0x20) out += "\\u" + c.toString(16).padStart(4, "0");
    else if (c >= 0xd800 && c <= 0xdbff && isLow(s.charCodeAt(i + 1))) {
      out += s[i]! + s[i + 1]!;
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) out += "\\u" + c.toString(16).padStart(4, "0");
    else out += s[i];
  }
  return out + '"';
}

function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** Python orders str by code point; JS's default sort compares UTF-16 units (wrong above U+FFFF). */
export function compareCodePoints(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(j)!;
    if (x !== y) return x - y;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return a.length - i - (b.length - j);
}

export function hmacSha256Hex(secret: string, message: string | Uint8Array): string {
  return createHmac("sha256", secret).update(message).digest("hex");
}

/** Constant-time comparison of two hex digests (a malformed header is simply unequal). */
export function hexDigestEquals(expected: string, given: string | null): boolean {
  if (!given) return false;
  const normalised = given.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(normalised)) return false;
  return timingSafeEqual(Buffer.from(expected, "hex"), Buffer.from(normalised, "hex"));
}

/**
 * Whether `raw` carries a valid Didit signature for one of `secrets`: `X-Signature-V2` over the
 * canonical re-serialisation, else `X-Signature` over the bytes exactly as received.
 */
export function verifyDiditSignature(
  raw: Uint8Array,
  text: string | null,
  headers: { v2: string | null; v1: string | null },
  secrets: string[],
): boolean {
  let canonical: string | null = null;
  if (text !== null && headers.v2) {
    try {
      canonical = canonicalDiditJson(text);
    } catch {
      canonical = null;
    }
  }
  for (const secret of secrets) {
    if (canonical !== null && hexDigestEquals(hmacSha256Hex(secret, canonical), headers.v2)) return true;
    if (headers.v1 && hexDigestEquals(hmacSha256Hex(secret, raw), headers.v1)) return true;
  }
  return false;
}
