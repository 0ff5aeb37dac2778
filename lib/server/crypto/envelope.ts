import "server-only";
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { getEnv } from "@/lib/env";

/**
 * Secrets at rest (Didit API keys, webhook secrets, share tokens): AES-256-GCM under
 * HANDOFF_ENCRYPTION_KEY, with the owning row's id as associated data, so a ciphertext copied to
 * another row does not decrypt. Format: `v1.<key id>.<iv>.<ciphertext>.<tag>` (base64url parts;
 * the key id is the first 8 hex digits of the key's SHA-256). A key being rotated out is given as
 * HANDOFF_ENCRYPTION_KEY_PREVIOUS: it still decrypts; `npm run keys:reencrypt` moves every
 * envelope to the current key. Node's own crypto (OpenSSL) does the work; this is only the framing.
 */

export class EnvelopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EnvelopeError";
  }
}

type Key = { id: string; bytes: Buffer };

function keyOf(base64: string): Key {
  const bytes = Buffer.from(base64, "base64");
  return { id: createHash("sha256").update(bytes).digest("hex").slice(0, 8), bytes };
}

export type EnvelopeKeys = { current: string; previous?: string | undefined };

function keys(override?: EnvelopeKeys): { current: Key; all: Key[] } {
  const env = override ?? {
    current: getEnv().HANDOFF_ENCRYPTION_KEY,
    previous: getEnv().HANDOFF_ENCRYPTION_KEY_PREVIOUS,
  };
  const current = keyOf(env.current);
  const all = [current];
  if (env.previous) all.push(keyOf(env.previous));
  return { current, all };
}

/** Encrypts `plaintext` bound to `rowId` (the associated data). */
export function seal(plaintext: string, rowId: string, override?: EnvelopeKeys): string {
  const { current } = keys(override);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", current.bytes, iv);
  cipher.setAAD(Buffer.from(rowId, "utf8"));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    "v1",
    current.id,
    iv.toString("base64url"),
    ct.toString("base64url"),
    tag.toString("base64url"),
  ].join(".");
}

/** Decrypts an envelope made by `seal` for the same `rowId`; throws EnvelopeError otherwise. */
export function open(envelope: string, rowId: string, override?: EnvelopeKeys): string {
  const parts = envelope.split(".");
  if (parts.length !== 5 || parts[0] !== "v1") throw new EnvelopeError("not an envelope");
  const [, keyId, iv, ct, tag] = parts as [string, string, string, string, string];
  const key = keys(override).all.find((k) => k.id === keyId);
  if (!key) throw new EnvelopeError("encrypted under an unknown key (set HANDOFF_ENCRYPTION_KEY_PREVIOUS?)");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.bytes, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(rowId, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new EnvelopeError("does not decrypt (altered, or bound to another row)");
  }
}

/** Whether an envelope is under the current key (the re-encrypt command skips those). */
export function isCurrent(envelope: string, override?: EnvelopeKeys): boolean {
  return envelope.split(".")[1] === keys(override).current.id;
}

/** SHA-256 hex of a token: how shares and inbox items are found without keeping the token. */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Only ever shown: the last 4 characters. */
export function last4(secret: string): string {
  return secret.slice(-4);
}
