import "server-only";
import { timingSafeEqual } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { AppError } from "../errors";

/** Standard Webhooks' tolerance: a signature older or newer than this is refused. */
export const PARTNER_TOLERANCE_SECONDS = 5 * 60;

const MESSAGE_ID_RE = /^[\x21-\x7e]{1,200}$/;
const TIMESTAMP_RE = /^\d{1,12}$/;

export type VerifiedPartnerMessage = { messageId: string; sentAt: Date };

/** Every failure looks the same to the sender; the reason goes to our log only. */
export class SignatureRejected extends AppError {
  constructor(readonly reason: string) {
    super("invalid_signature", "The request signature could not be verified.");
  }
}

/**
 * Verifies a partner request per Standard Webhooks: HMAC-SHA256 of `{id}.{timestamp}.{body}` with
 * the partner's `whsec_` secret, any of the `v1,` signatures in `webhook-signature` matching one of
 * the secrets (several during a rotation). The timestamp is checked here against our clock (`now`)
 * rather than inside the package, which reads the wall clock itself.
 */
export function verifyPartnerSignature(
  body: string,
  headers: Headers,
  secrets: string[],
  now: Date,
): VerifiedPartnerMessage {
  const messageId = headers.get("webhook-id");
  const timestamp = headers.get("webhook-timestamp");
  const signature = headers.get("webhook-signature");
  if (!messageId || !timestamp || !signature) throw new SignatureRejected("missing header");
  if (!MESSAGE_ID_RE.test(messageId)) throw new SignatureRejected("malformed webhook-id");
  if (!TIMESTAMP_RE.test(timestamp)) throw new SignatureRejected("malformed webhook-timestamp");
  const sentAt = new Date(Number(timestamp) * 1000);
  if (Math.abs(now.getTime() - sentAt.getTime()) > PARTNER_TOLERANCE_SECONDS * 1000) {
    throw new SignatureRejected("timestamp outside the tolerance");
  }
  const given = signature
    .split(" ")
    .filter((s) => s.startsWith("v1,"))
    .map((s) => Buffer.from(s.slice(3), "utf8"));
  for (const secret of secrets) {
    let expected: Buffer;
    try {
      expected = Buffer.from(new Webhook(secret).sign(messageId, sentAt, body).slice(3), "utf8");
    } catch {
      continue; // a malformed stored secret verifies nothing
    }
    if (given.some((g) => g.length === expected.length && timingSafeEqual(g, expected))) {
      return { messageId, sentAt };
    }
  }
  throw new SignatureRejected("no matching signature");
}
