import "server-only";
import {
  and,
  asc,
  desc,
  eq,
  gt,
  gte,
  ilike,
  isNotNull,
  isNull,
  lt,
  lte,
  not,
  or,
  sql,
  type SQL,
} from "drizzle-orm";
import {
  type EligiblePartnersResponse,
  type PartnerDetailDto,
  type PartnerListQuery,
  type PartnerListResponse,
} from "@/lib/schemas/partners";
import { partners, shares } from "@/lib/server/db/schema";
import { AppError, type ServiceContext, assertCan, UUID_RE } from "@/lib/server/kernel";
import { publicOrigin } from "@/lib/server/listen-address";
import { listPartnerSecrets, PARTNER_ID_HEADER } from "./secrets";
import { dayOf, eligiblePartnersFor, mirroredSession } from "./agreement-policy";
import { currentSecrets, DAY_MS, directory, toPartnerDto } from "./directory";
import { invalid } from "./validate";

/** Reading the partner directory: the paged list, one partner, the share wizard's eligible list. */

export async function listPartners(
  ctx: ServiceContext,
  query: PartnerListQuery,
): Promise<PartnerListResponse> {
  assertCan(ctx, "partners.read");
  const now = ctx.now();
  const today = dayOf(now);
  const warnUntil = dayOf(new Date(Date.parse(`${today}T00:00:00Z`) + 30 * DAY_MS));
  const where: SQL[] = [];
  if (query.status) where.push(eq(partners.status, query.status));
  if (query.applicationId) where.push(eq(partners.applicationId, query.applicationId));
  if (query.direction) where.push(eq(partners.direction, query.direction));
  if (query.q) {
    const like = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const q = [ilike(partners.name, like), ilike(partners.agreementReference, like)];
    if (UUID_RE.test(query.q)) q.push(eq(partners.diditApplicationId, query.q.toLowerCase()));
    where.push(or(...q)!);
  }
  const state = query.expiring ? "expiring" : query.agreementState;
  // The same partition as agreementStateOf: without a reference and a signing date, "none".
  const recorded = and(
    isNotNull(partners.agreementReference),
    sql`btrim(${partners.agreementReference}) <> ''`,
    isNotNull(partners.agreementSignedOn),
  )!;
  if (state === "expiring") {
    where.push(
      recorded,
      gte(partners.agreementExpiresOn, today),
      lte(partners.agreementExpiresOn, warnUntil),
    );
  } else if (state === "expired") {
    where.push(recorded, lt(partners.agreementExpiresOn, today));
  } else if (state === "none") {
    where.push(not(recorded));
  } else if (state === "valid") {
    where.push(
      recorded,
      or(isNull(partners.agreementExpiresOn), gt(partners.agreementExpiresOn, warnUntil))!,
    );
  }
  if (query.cursor) {
    const [name, id] = decodeCursor(query.cursor);
    where.push(or(gt(partners.name, name), and(eq(partners.name, name), gt(partners.id, id)))!);
  }
  const rows = await ctx.db
    .select()
    .from(partners)
    .where(where.length ? and(...where) : undefined)
    .orderBy(asc(partners.name), asc(partners.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const [dir, secrets] = await Promise.all([
    directory(ctx.db),
    currentSecrets(
      ctx.db,
      page.map((r) => r.id),
    ),
  ]);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => toPartnerDto(r, dir, secrets.get(r.id), now)),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.name, last.id) : null,
  };
}

function encodeCursor(name: string, id: string): string {
  return Buffer.from(JSON.stringify([name, id]), "utf8").toString("base64url");
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === "string" &&
      !value[0].includes("\u0000") &&
      typeof value[1] === "string" &&
      UUID_RE.test(value[1])
    ) {
      return [value[0], value[1]];
    }
  } catch {
    // fall through
  }
  throw invalid({ cursor: ["Not a cursor from this list: start again from the first page"] });
}

export async function getPartner(ctx: ServiceContext, id: string): Promise<PartnerDetailDto> {
  assertCan(ctx, "partners.read");
  const now = ctx.now();
  const [row] = await ctx.db.select().from(partners).where(eq(partners.id, id)).limit(1);
  if (!row) throw new AppError("not_found", "No such partner.");
  const [dir, secrets, secretList, recent] = await Promise.all([
    directory(ctx.db),
    currentSecrets(ctx.db, [id]),
    listPartnerSecrets(ctx.db, id, now),
    ctx.db
      .select({
        id: shares.id,
        state: shares.state,
        createdAt: shares.createdAt,
        sessionId: shares.sessionId,
        sessionNumber: shares.sessionNumber,
        sessionKind: shares.sessionKind,
        expiresAt: shares.expiresAt,
        channel: shares.channel,
      })
      .from(shares)
      .where(eq(shares.partnerId, id))
      .orderBy(desc(shares.createdAt), desc(shares.id))
      .limit(20),
  ]);
  const origin = publicOrigin();
  return {
    ...toPartnerDto(row, dir, secrets.get(id), now),
    secrets: secretList,
    inboxUrl: origin ? `${origin}/api/partner/v1/inbox/${row.id}` : null,
    partnerIdHeader: { name: PARTNER_ID_HEADER, value: row.id },
    recentShares: recent.map((s) => ({
      ...s,
      createdAt: s.createdAt.toISOString(),
      expiresAt: s.expiresAt.toISOString(),
    })),
  };
}

/**
 * The share wizard's list: every partner of the session's application, with whether a share of
 * this session to it is allowed today and, if not, why. The session is read from the mirror.
 */
export async function eligiblePartners(
  ctx: ServiceContext,
  diditSessionId: string,
): Promise<EligiblePartnersResponse> {
  assertCan(ctx, "partners.read");
  const session = await mirroredSession(ctx.db, diditSessionId);
  const items = await eligiblePartnersFor(ctx.db, session, ctx.now());
  return {
    session: {
      id: session.diditSessionId,
      applicationId: session.applicationId,
      kind: session.kind,
      status: session.status,
      sessionNumber: session.sessionNumber,
    },
    items,
  };
}
