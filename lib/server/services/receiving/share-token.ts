import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import { decodeJwt } from "jose";
import type { ShareTokenClaims } from "@/lib/schemas/inbox";
import type { ShareDelivery } from "@/lib/schemas/partner-api";
import { connectedApplications, partners } from "@/lib/server/db/schema";
import type { DbOrTx } from "@/lib/server/db/types";
import { AppError, UUID_RE } from "@/lib/server/kernel";
import type { PartnerRow } from "@/lib/server/services/partners";

/**
 * A received share token, read and checked: Didit signs it with a key only it holds, so its claims
 * can be read but not verified here; they are checked against what we know (the token is for one
 * of our applications, from this partner's application, and the delivery agrees with it).
 */

type ApplicationRow = typeof connectedApplications.$inferSelect;

/** What a push body says of the token: it must agree with the claims. */
export type StatedClaims = Pick<
  ShareDelivery,
  "session_kind" | "from_application_id" | "for_application_id" | "expires_at"
>;

/**
 * The token's six claims, or a 422 `token_invalid`: not a JWT, or a claim missing or of the wrong
 * shape. Nothing is verified (Didit holds the key): Didit itself refuses a forged token at import.
 */
export function decodeShareToken(token: string): ShareTokenClaims {
  let raw: Record<string, unknown>;
  try {
    raw = decodeJwt(token) as Record<string, unknown>;
  } catch {
    throw new AppError(
      "token_invalid",
      "This is not a Didit share token (a JWT of three dot-separated parts): copy the whole token the partner sent, or ask them to share again.",
    );
  }
  const missing: string[] = [];
  const uuid = (k: string) => {
    const v = raw[k];
    if (typeof v === "string" && UUID_RE.test(v)) return v.toLowerCase();
    missing.push(k);
    return "";
  };
  const seconds = (k: string) => {
    const v = raw[k];
    if (typeof v === "number" && Number.isInteger(v) && v > 0 && v < 253_402_300_800) return v;
    missing.push(k);
    return 0;
  };
  const claims = {
    session_id: uuid("session_id"),
    from_application_id: uuid("from_application_id"),
    for_application_id: uuid("for_application_id"),
    session_kind: raw.session_kind === "user" || raw.session_kind === "business" ? raw.session_kind : null,
    iat: seconds("iat"),
    exp: seconds("exp"),
  };
  if (claims.session_kind === null) missing.push("session_kind");
  if (missing.length > 0) {
    throw new AppError(
      "token_invalid",
      `This token lacks the claims of a Didit share token (${missing.join(", ")}): ask the partner to share the session again.`,
      { claims: missing },
    );
  }
  return claims as ShareTokenClaims;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

async function applicationFor(db: DbOrTx, diditApplicationId: string): Promise<ApplicationRow | null> {
  const [app] = await db
    .select()
    .from(connectedApplications)
    .where(
      and(
        eq(connectedApplications.diditApplicationId, diditApplicationId),
        isNull(connectedApplications.deletedAt),
      ),
    )
    .limit(1);
  return app ?? null;
}

async function partnerById(db: DbOrTx, id: string): Promise<PartnerRow | null> {
  const [row] = await db.select().from(partners).where(eq(partners.id, id)).limit(1);
  return row ?? null;
}

/** Which of the token's facts the push body states differently. */
function disagreements(claims: ShareTokenClaims, stated: StatedClaims): string[] {
  const out: string[] = [];
  if (stated.session_kind !== claims.session_kind) out.push("session_kind");
  if (!same(stated.from_application_id, claims.from_application_id)) out.push("from_application_id");
  if (!same(stated.for_application_id, claims.for_application_id)) out.push("for_application_id");
  if (Math.floor(Date.parse(stated.expires_at) / 1000) !== claims.exp) out.push("expires_at");
  return out;
}

export type Checked = { claims: ShareTokenClaims; app: ApplicationRow; partner: PartnerRow };

/** Every check on who the token is for and from; throws the refusal (422) otherwise. */
export async function checkIdentity(
  db: DbOrTx,
  arrival: { token: string; partnerId?: string; stated?: StatedClaims },
): Promise<Checked> {
  const claims = decodeShareToken(arrival.token);
  const app = await applicationFor(db, claims.for_application_id);
  if (!app) {
    throw new AppError(
      "token_not_for_us",
      `This token is for Didit application ${claims.for_application_id}, which is not one of our connected applications: only that application can import it. Ask the partner to share it for ours.`,
    );
  }
  let partner: PartnerRow | null;
  if (arrival.partnerId) {
    partner = await partnerById(db, arrival.partnerId);
    if (!partner) throw new AppError("not_found", "No such partner.");
    if (partner.applicationId !== app.id) {
      throw new AppError(
        "token_not_for_us",
        `This token is for our application ${app.name}, but ${partner.name} is a partner of another of our applications: ask them to share it for the application their partnership is with, or add the partnership for ${app.name}.`,
      );
    }
    if (!same(claims.from_application_id, partner.diditApplicationId)) {
      throw new AppError(
        "token_from_other_partner",
        `This token was shared by Didit application ${claims.from_application_id}, not by ${partner.name}'s application: a partner can only deliver its own shares.`,
      );
    }
  } else {
    const [row] = await db
      .select()
      .from(partners)
      .where(
        and(eq(partners.applicationId, app.id), eq(partners.diditApplicationId, claims.from_application_id)),
      )
      .limit(1);
    partner = row ?? null;
    if (!partner) {
      throw new AppError(
        "token_from_unknown_partner",
        `This token was shared by Didit application ${claims.from_application_id}, which is not a partner of ${app.name}: a partnership manager must add it to the partner directory (direction inbound or both) before its tokens can be received.`,
      );
    }
  }
  if (arrival.stated) {
    const wrong = disagreements(claims, arrival.stated);
    if (wrong.length > 0) {
      throw new AppError(
        "token_claims_mismatch",
        `The delivery says something the token does not (${wrong.join(", ")}): send the token's own claims.`,
        { fields: wrong },
      );
    }
  }
  return { claims, app, partner };
}
