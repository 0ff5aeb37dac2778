import "server-only";

import { createHmac } from "node:crypto";

/**
 * Didit's webhook signing (didit-api.md §6): Python's
 * `json.dumps(shorten_floats(payload), sort_keys=True, separators=(",", ":"), ensure_ascii=…)`,
 * written by hand because JSON.stringify neither sorts keys nor keeps integer-like keys in order.
 *
 * Numbers: every JS number with a whole value is written as an integer in full digits (Python's
 * int after shorten_floats, also beyond 1e21); other numbers follow Python's float repr (shortest
 * round-trip digits, exponent form below 1e-4, e.g. `1e-05`). NaN and ±Infinity are refused (Python
 * would emit invalid JSON). Limits: lone UTF-16 surrogates cannot be encoded as UTF-8 (Python
 * raises; here they are escaped as \udXXX in both modes, so the body stays valid JSON).
 * Like JSON.stringify, `undefined` object members are dropped, `undefined` in arrays is `null`,
 * and values with `toJSON` (Dates) are serialised through it.
 */
export type CanonicalOptions = { asciiOnly: boolean };

export function canonicalWebhookJson(value: unknown, options: CanonicalOptions): string {
  return write(value, options.asciiOnly);
}

/** `X-Signature-V2`: HMAC-SHA256 (hex) over the UTF-8 serialisation with non-ASCII written literally. */
export function signatureV2(payload: unknown, secret: string): string {
  return hmacHex(secret, canonicalWebhookJson(payload, { asciiOnly: false }));
}

/** `X-Signature`: the same over the ASCII-only serialisation (`\uXXXX` escapes). */
export function signatureV1(payload: unknown, secret: string): string {
  return hmacHex(secret, canonicalWebhookJson(payload, { asciiOnly: true }));
}

export type SimpleSignatureFields = {
  timestamp: number | string;
  session_id: string;
  status: string;
  webhook_type: string;
};

/** `X-Signature-Simple`: HMAC of `"{timestamp}:{session_id}:{status}:{webhook_type}"`. */
export function signatureSimple(fields: SimpleSignatureFields, secret: string): string {
  return hmacHex(secret, `${fields.timestamp}:${fields.session_id}:${fields.status}:${fields.webhook_type}`);
}

/** The exact bytes POSTed to a destination: the V2 serialisation in UTF-8. */
export function webhookBody(payload: unknown): Buffer {
  return Buffer.from(canonicalWebhookJson(payload, { asciiOnly: false }), "utf8");
}

function hmacHex(secret: string, message: string): string {
  return createHmac("sha256", secret).update(message, "utf8").digest("hex");
}

function write(value: unknown, ascii: boolean): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return quote(value, ascii);
    case "number":
      return formatNumber(value);
    case "bigint":
      return value.toString();
    case "boolean":
      return value ? "true" : "false";
    case "object":
      break;
    default:
      throw new TypeError(`Cannot serialise a ${typeof value} in a webhook payload`);
  }
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === "function") return write(withJson.toJSON(), ascii);
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ",";
      const item: unknown = value[i];
      out += item === undefined || typeof item === "function" ? "null" : write(item, ascii);
    }
    return out + "]";
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort(compareCodePoints);
  let out = "{";
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined || typeof item === "function") continue;
    if (!first) out += ",";
    first = false;
    out += quote(key, ascii) + ":" + write(item, ascii);
  }
  return out + "}";
}

/** Python compares str by code point; JS `<` compares UTF-16 code units (differs above U+FFFF). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    // A surrogate (astral code point) sorts above every BMP char, even U+E000–U+FFFF.
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

const SHORT_ESCAPES: Record<number, string> = {
  0x22: '\\"',
  0x5c: "\\\\",
  0x0a: "\\n",
  0x0d: "\\r",
  0x09: "\\t",
  0x08: "\\b",
  0x0c: "\\f",
};

function hex4(code: number): string {
  return "\\u" + code.toString(16).padStart(4, "0");
}

// Characters Python escapes: ensure_ascii=False → `"`, `\`, controls; True → also all outside 0x20–0x7e.
const NEEDS_ESCAPE_UTF8 = /["\\\u0000-\u001f\ud800-\udfff]/;
const NEEDS_ESCAPE_ASCII = /["\\\u0000-\u001f\u007f-\uffff]/;

function quote(s: string, ascii: boolean): string {
  if (!(ascii ? NEEDS_ESCAPE_ASCII : NEEDS_ESCAPE_UTF8).test(s)) return '"' + s + '"';
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const short = SHORT_ESCAPES[c];
    if (short !== undefined) out += short;
    else if (c < 0x20) out += hex4(c);
    else if (ascii && c > 0x7e)
      out += hex4(c); // astral chars arrive as two code units: a surrogate pair
    else if (!ascii && c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
      } else out += hex4(c);
    } else out += s[i];
  }
  return out + '"';
}

/** Integers (shorten_floats) in full digits; other floats as Python's repr. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) throw new TypeError(`Cannot serialise ${n} in a webhook payload`);
  if (Number.isInteger(n)) {
    if (Object.is(n, -0)) return "0";
    return Math.abs(n) < 1e21 ? String(n) : BigInt(n).toString();
  }
  // Shortest round-trip digits, as both JS and Python (repr) compute them.
  const exp = n.toExponential(); // e.g. "-9.54e+1", "1.5e-7"
  const e = exp.indexOf("e");
  const sign = n < 0 ? "-" : "";
  const mantissa = exp.slice(sign ? 1 : 0, e).replace(".", "");
  const exponent = Number(exp.slice(e + 1));
  // Python's repr: fixed notation when -4 <= exponent < 16, else d.ddde±XX.
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${mantissa}`;
    const intLen = exponent + 1;
    if (mantissa.length <= intLen) return `${sign}${mantissa.padEnd(intLen, "0")}.0`;
    return `${sign}${mantissa.slice(0, intLen)}.${mantissa.slice(intLen)}`;
  }
  const digits = mantissa.length > 1 ? `${mantissa[0]}.${mantissa.slice(1)}` : mantissa;
  const absExp = Math.abs(exponent);
  return `${sign}${digits}e${exponent < 0 ? "-" : "+"}${absExp < 10 ? "0" : ""}${absExp}`;
}
