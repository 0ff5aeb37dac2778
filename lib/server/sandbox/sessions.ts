import "server-only";
import { randomUUID } from "node:crypto";
import { and, desc, eq, gte, inArray, lt, or, sql, type SQL } from "drizzle-orm";
import { getEnv } from "@/lib/env";
import type { Db, DbOrTx, Tx } from "@/lib/server/db/types";
import {
  sandboxApplications,
  sandboxEntities,
  sandboxImports,
  sandboxSessions,
  sandboxShareClocks,
  sandboxShares,
  sandboxWorkflows,
} from "@/lib/server/sandbox/schema";
import { isUniqueViolation, sqlState } from "@/lib/server/db/errors";
import { defaultWorkflow, findApplication } from "./applications";
import { DrfError, fieldErrors, isUuid, notFound, type FieldErrors } from "./errors";
import { generateSession, type Seed } from "./generator";
import { pageEnvelope, publicUrl, readPageParams, type Page } from "./pagination";
import type { SandboxApp } from "./http";
import { duplicateKey, importError, shareSuccessStatus, type ImportErrorKind } from "./profiles";
import { renderDecision, renderImportResult, renderListRow } from "./render";
import { mintShareToken, readShareToken, tokenHash } from "./share-token";
import { isFinished, renderStatus } from "./statuses";
import {
  SESSION_LIST_KINDS,
  SESSION_STATUSES,
  SHARE_TTL_SECONDS,
  UPDATE_STATUS_ALLOWED_FROM,
  UPDATE_STATUS_TARGETS,
  type SessionKind,
  type SessionStatus,
  type ShareResponse,
  type ShareTokenClaims,
  type UpdateStatusResponse,
} from "@/lib/server/didit-wire";
import type { SandboxProfile, SessionReview, StoredSession } from "./types";
import { enqueueStatusUpdated, kickWebhookWorker } from "./webhooks";
import { readBoolean, readInteger, readString, readUuid, textProblem } from "./validation";

/** How long a generated session's link lives (Didit's default session expiry is a week). */
const SESSION_LIFETIME_MS = 7 * 24 * 3600 * 1000;
const LIST_MAX_LIMIT = 1000;
const FOREIGN_KEY_VIOLATION = "23503";

type SessionRow = typeof sandboxSessions.$inferSelect;

function toStored(row: SessionRow): StoredSession {
  return {
    id: row.id,
    applicationId: row.applicationId,
    number: row.number,
    kind: row.kind,
    status: row.status as SessionStatus,
    workflowId: row.workflowId,
    vendorData: row.vendorData,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    sharedFromSession: row.sharedFromSession,
    summary: row.summary,
    payload: row.payload,
    reviews: row.reviews,
  };
}

/** The next session_number of an application, under the row lock of this UPDATE: no gaps, no repeats. */
async function nextSessionNumber(tx: Tx, applicationId: string): Promise<number> {
  const rows = await tx
    .update(sandboxApplications)
    .set({ nextSessionNumber: sql`${sandboxApplications.nextSessionNumber} + 1` })
    .where(eq(sandboxApplications.id, applicationId))
    .returning({ next: sandboxApplications.nextSessionNumber });
  if (!rows[0]) throw notFound();
  return Number(rows[0].next) - 1;
}

/** The User (KYC) or Business (KYB) entity for vendor_data, created if the application has none. */
async function ensureEntity(tx: Tx, applicationId: string, kind: SessionKind, vendorData: string | null) {
  if (!vendorData) return;
  await tx.insert(sandboxEntities).values({ applicationId, kind, vendorData }).onConflictDoNothing();
}

function searchNameOf(session: Pick<StoredSession, "summary">): string | null {
  const parts = [session.summary.full_name, session.summary.company_name].filter(Boolean);
  return parts.length > 0 ? parts.join(" ") : null;
}

/** A status change: the outbox row of `status.updated` is written in the same transaction. */
async function statusChanged(tx: Tx, session: StoredSession, now: Date, origin?: string) {
  await enqueueStatusUpdated(tx, { applicationId: session.applicationId, session, now, origin });
}

// ---------------------------------------------------------------------------------------------
// Creation (admin API) and reads

export type CreateGeneratedSessionInput = {
  applicationId: string;
  kind: SessionKind;
  status: SessionStatus;
  vendorData?: string | null;
  seed?: Seed;
  now: Date;
  /** KYB: exactly this many key people (the generator's `keyPeopleCount`). */
  keyPeopleCount?: number;
};

/** A session with a deterministic synthetic payload (same seed → same person or company). */
export async function createGeneratedSession(
  db: Db,
  input: CreateGeneratedSessionInput,
): Promise<StoredSession> {
  return db.transaction(async (tx) => {
    const workflow = await defaultWorkflow(tx, input.applicationId, input.kind);
    if (!workflow) throw notFound();
    const number = await nextSessionNumber(tx, input.applicationId);
    const id = randomUUID();
    const { summary, payload } = generateSession(input.seed ?? id, {
      kind: input.kind,
      status: input.status,
      createdAt: input.now,
      ...(input.keyPeopleCount === undefined ? {} : { keyPeopleCount: input.keyPeopleCount }),
    });
    const [row] = await tx
      .insert(sandboxSessions)
      .values({
        id,
        applicationId: input.applicationId,
        number,
        kind: input.kind,
        status: input.status,
        workflowId: workflow.id,
        vendorData: input.vendorData ?? null,
        createdAt: input.now,
        expiresAt: new Date(input.now.getTime() + SESSION_LIFETIME_MS),
        updatedAt: input.now,
        searchName: searchNameOf({ summary }),
        summary,
        payload,
        reviews: [],
      })
      .returning();
    await ensureEntity(tx, input.applicationId, input.kind, input.vendorData ?? null);
    return toStored(row!);
  });
}

/** One of the application's sessions; 404 for unknown ids and for other applications' sessions. */
export async function getOwnSession(db: DbOrTx, applicationId: string, id: string): Promise<StoredSession> {
  if (!isUuid(id)) throw notFound();
  const rows = await db
    .select()
    .from(sandboxSessions)
    .where(and(eq(sandboxSessions.id, id.toLowerCase()), eq(sandboxSessions.applicationId, applicationId)));
  if (!rows[0]) throw notFound();
  return toStored(rows[0]);
}

export async function sessionDecision(db: Db, app: SandboxApp, id: string, origin: string) {
  const session = await getOwnSession(db, app.id, id);
  return renderDecision(session, app.profile, origin);
}

// ---------------------------------------------------------------------------------------------
// List: GET /v3/sessions/

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseDate(value: string): Date | null {
  const m = DATE_RE.exec(value);
  if (!m) return null;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (
    date.getUTCFullYear() !== Number(m[1]) ||
    date.getUTCMonth() !== Number(m[2]) - 1 ||
    date.getUTCDate() !== Number(m[3])
  )
    return null;
  return date;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export type SessionPage = Page<unknown>;

/** Stored statuses whose rendering for (kind, profile) is exactly one of the requested strings. */
function statusCondition(tokens: string[], kinds: SessionKind[], profile: SandboxProfile): SQL {
  const parts: SQL[] = [];
  for (const kind of kinds) {
    const matching = SESSION_STATUSES.filter((s) => tokens.includes(renderStatus(kind, s, profile)));
    if (matching.length > 0) {
      parts.push(and(eq(sandboxSessions.kind, kind), inArray(sandboxSessions.status, matching))!);
    }
  }
  return parts.length > 0 ? or(...parts)! : sql`false`;
}

export async function listSessions(
  db: DbOrTx,
  app: SandboxApp,
  requestUrl: string,
  origin: string,
): Promise<SessionPage> {
  const url = new URL(requestUrl);
  const q = url.searchParams;
  const value = (name: string) => {
    const v = q.get(name);
    return v === null || v === "" ? null : v;
  };
  // No prototype: ?constructor= or ?__proto__= is a parameter like any other (`??=` kept Object's).
  const errors: FieldErrors = Object.create(null);
  // Query strings reach SQL (search, vendor_data) or error messages: text PostgreSQL can store only.
  for (const [name, v] of q) {
    const problem = textProblem(v);
    if (problem) (errors[name] ??= []).push(problem);
  }
  if (Object.keys(errors).length > 0) throw fieldErrors(errors);

  const kindParam = value("session_kind") ?? "user";
  if (!(SESSION_LIST_KINDS as readonly string[]).includes(kindParam)) {
    errors.session_kind = [`Select a valid choice. ${kindParam} is not one of the available choices.`];
  }
  const workflowId = value("workflow_id");
  if (workflowId !== null && !isUuid(workflowId)) errors.workflow_id = ["Enter a valid UUID."];
  const dateFromRaw = value("date_from");
  const dateToRaw = value("date_to");
  const dateFrom = dateFromRaw === null ? null : parseDate(dateFromRaw);
  const dateTo = dateToRaw === null ? null : parseDate(dateToRaw);
  if (dateFromRaw !== null && !dateFrom) errors.date_from = ["Enter a valid date."];
  if (dateToRaw !== null && !dateTo) errors.date_to = ["Enter a valid date."];
  if (Object.keys(errors).length > 0) throw fieldErrors(errors);

  const kinds: SessionKind[] = kindParam === "all" ? ["user", "business"] : [kindParam as SessionKind];
  const where: SQL[] = [eq(sandboxSessions.applicationId, app.id)];
  if (kindParam !== "all") where.push(eq(sandboxSessions.kind, kindParam as SessionKind));
  const statusParam = value("status");
  if (statusParam !== null) {
    const tokens = statusParam
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    if (tokens.length > 0) where.push(statusCondition(tokens, kinds, app.profile));
  }
  const vendorData = q.get("vendor_data");
  if (vendorData !== null && vendorData !== "") where.push(eq(sandboxSessions.vendorData, vendorData));
  if (workflowId !== null) where.push(eq(sandboxSessions.workflowId, workflowId.toLowerCase()));
  if (dateFrom) where.push(gte(sandboxSessions.createdAt, dateFrom));
  if (dateTo) where.push(lt(sandboxSessions.createdAt, new Date(dateTo.getTime() + 24 * 3600 * 1000)));
  const search = value("search")?.trim();
  if (search) {
    const contains = `%${likeEscape(search)}%`;
    const prefix = `${likeEscape(search.toLowerCase())}%`;
    const parts: SQL[] = [
      sql`${sandboxSessions.id}::text like ${prefix}`,
      sql`${sandboxSessions.searchName} ilike ${contains}`,
      sql`${sandboxSessions.vendorData} ilike ${contains}`,
    ];
    if (/^\d+$/.test(search)) parts.push(sql`${sandboxSessions.number}::text like ${`${search}%`}`);
    where.push(or(...parts)!);
  }

  const page = readPageParams(q, LIST_MAX_LIMIT);

  const condition = and(...where);
  const [{ count } = { count: 0 }] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(sandboxSessions)
    .where(condition);
  const total = Number(count);
  const rows =
    total === 0 || page.offset > total
      ? []
      : await db
          .select({
            id: sandboxSessions.id,
            number: sandboxSessions.number,
            kind: sandboxSessions.kind,
            status: sandboxSessions.status,
            workflowId: sandboxSessions.workflowId,
            vendorData: sandboxSessions.vendorData,
            createdAt: sandboxSessions.createdAt,
            summary: sandboxSessions.summary,
          })
          .from(sandboxSessions)
          .where(condition)
          .orderBy(desc(sandboxSessions.createdAt), desc(sandboxSessions.number))
          .limit(page.limit)
          .offset(page.offset);

  return pageEnvelope(
    publicUrl(requestUrl, origin),
    total,
    page,
    rows.map((r) => renderListRow({ ...r, status: r.status as SessionStatus }, app.profile)),
  );
}

// ---------------------------------------------------------------------------------------------
// PATCH /v3/session/{id}/update-status/

export async function updateSessionStatus(
  db: Db,
  app: SandboxApp,
  id: string,
  body: Record<string, unknown>,
  now: Date,
  origin: string,
): Promise<UpdateStatusResponse> {
  await getOwnSession(db, app.id, id);
  const errors: FieldErrors = {};
  const raw = body.new_status;
  let target: SessionStatus | undefined;
  if (raw === undefined) errors.new_status = ["This field is required."];
  else if (raw === null) errors.new_status = ["This field may not be null."];
  const comment = readString(body, "comment", errors, { allowNull: true, allowBlank: true, maxLength: 2000 });
  if (Object.keys(errors).length > 0) throw fieldErrors(errors);

  const result = await db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(sandboxSessions)
      .where(and(eq(sandboxSessions.id, id.toLowerCase()), eq(sandboxSessions.applicationId, app.id)))
      .for("update");
    if (!row) throw notFound();
    const session = toStored(row);
    // Title Case always; the KYB rendering of the caller's profile (APPROVED) too.
    target = UPDATE_STATUS_TARGETS.find(
      (s) => raw === s || raw === renderStatus(session.kind, s, app.profile),
    );
    if (!target) throw fieldErrors({ new_status: [`"${String(raw)}" is not a valid choice.`] });
    if (!(UPDATE_STATUS_ALLOWED_FROM as readonly SessionStatus[]).includes(session.status)) {
      throw new DrfError(400, {
        detail: [
          `Cannot update the status of a session in status "${renderStatus(session.kind, session.status, app.profile)}".`,
        ],
      });
    }
    if (session.status === target) {
      throw new DrfError(400, { detail: ["The new status is the same as the current status."] });
    }
    const review: SessionReview = {
      user: "API",
      new_status: target,
      comment: comment ?? null,
      created_at: now.toISOString(),
    };
    const [updated] = await tx
      .update(sandboxSessions)
      .set({ status: target, reviews: [...session.reviews, review], updatedAt: now })
      .where(eq(sandboxSessions.id, session.id))
      .returning();
    await statusChanged(tx, toStored(updated!), now, origin);
    return { session_id: session.id };
  });
  kickWebhookWorker();
  return result;
}

// ---------------------------------------------------------------------------------------------
// DELETE /v3/session/{id}/delete/

export async function deleteSession(db: Db, app: SandboxApp, id: string): Promise<void> {
  if (!isUuid(id)) throw notFound();
  const rows = await db
    .delete(sandboxSessions)
    .where(and(eq(sandboxSessions.id, id.toLowerCase()), eq(sandboxSessions.applicationId, app.id)))
    .returning({ id: sandboxSessions.id });
  if (rows.length === 0) throw notFound();
}

// ---------------------------------------------------------------------------------------------
// POST /v3/session/{id}/share/

export const FINISHED_ONLY_MESSAGE =
  'Only finished sessions ("Approved", "Declined", "In Review") can be shared.';

function jwtSecret(): string {
  const secret = getEnv().SANDBOX_JWT_SECRET;
  if (!secret) throw new Error("SANDBOX_JWT_SECRET is not configured");
  return secret;
}

export async function shareSession(
  db: Db,
  app: SandboxApp,
  id: string,
  body: Record<string, unknown>,
  now: Date,
): Promise<Response> {
  const session = await getOwnSession(db, app.id, id);
  const errors: FieldErrors = {};
  const forApplicationId = readUuid(body, "for_application_id", errors, { required: true });
  const ttl =
    readInteger(body, "ttl_in_seconds", errors, { min: SHARE_TTL_SECONDS.min, max: SHARE_TTL_SECONDS.max }) ??
    SHARE_TTL_SECONDS.default;
  if (Object.keys(errors).length > 0) throw fieldErrors(errors);
  if (!isFinished(session.status)) throw new DrfError(400, { detail: [FINISHED_ONLY_MESSAGE] });
  if (forApplicationId === app.id) {
    throw fieldErrors({ for_application_id: ["Cannot share a session with the same application."] });
  }
  if (!(await findApplication(db, forApplicationId!))) {
    throw fieldErrors({ for_application_id: ["Target application does not exist."] });
  }
  // The six claims hold no nonce, so two mints of one second would be byte-identical and the
  // second one, under the recipe's (token, application) duplicate rule, already redeemed. Each
  // token of a session gets its own `iat`: the clock's second, or one past the session's last
  // token when mints outpace the clock. One atomic upsert (its row lock orders concurrent mints),
  // so a mint costs the same few queries however many came before it.
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const [issued] = await db
    .insert(sandboxShareClocks)
    .values({ sessionId: session.id, lastIat: nowSeconds })
    .onConflictDoUpdate({
      target: sandboxShareClocks.sessionId,
      set: { lastIat: sql`greatest(${sandboxShareClocks.lastIat} + 1, excluded.last_iat)` },
    })
    .returning({ iat: sandboxShareClocks.lastIat })
    .catch((error: unknown) => {
      // The session was deleted since it was read: as gone as if it never existed.
      if (sqlState(error) === FOREIGN_KEY_VIOLATION) throw notFound();
      throw error;
    });
  if (!issued) throw notFound();
  const iat = Number(issued.iat);
  const claims: ShareTokenClaims = {
    session_id: session.id,
    from_application_id: app.id,
    for_application_id: forApplicationId!,
    session_kind: session.kind,
    iat,
    exp: iat + ttl,
  };
  const token = await mintShareToken(claims, jwtSecret());
  await db.insert(sandboxShares).values({
    applicationId: app.id,
    sessionId: session.id,
    forApplicationId: forApplicationId!,
    tokenHash: tokenHash(token),
    issuedAt: new Date(iat * 1000),
    expiresAt: new Date(claims.exp * 1000),
  });
  const answer: ShareResponse = {
    share_token: token,
    for_application_id: forApplicationId!,
    session_kind: session.kind,
  };
  return Response.json(answer, { status: shareSuccessStatus(app.profile) });
}

// ---------------------------------------------------------------------------------------------
// POST /v3/session/import-shared/

const importFailure = (profile: SandboxProfile, kind: ImportErrorKind) => {
  const { status, body } = importError(profile, kind);
  return new DrfError(status, body);
};

export async function importSharedSession(
  db: Db,
  app: SandboxApp,
  body: Record<string, unknown>,
  now: Date,
  origin: string,
): Promise<Response> {
  const errors: FieldErrors = {};
  const token = readString(body, "share_token", errors, { required: true });
  let workflowId: string | null = null;
  if (body.workflow_id !== undefined && body.workflow_id !== null) {
    if (typeof body.workflow_id !== "string") errors.workflow_id = ["Must be a valid UUID."];
    else workflowId = body.workflow_id;
  }
  const vendorData = readString(body, "vendor_data", errors, {
    allowNull: true,
    allowBlank: true,
    maxLength: 1000,
  });
  const trustReview = readBoolean(body, "trust_review", errors) ?? false;
  if (Object.keys(errors).length > 0) throw fieldErrors(errors);

  const read = await readShareToken(token!, jwtSecret(), Math.floor(now.getTime() / 1000));
  if (!read.ok) throw importFailure(app.profile, read.reason === "expired" ? "expired" : "invalid_token");
  const claims = read.claims;
  // Signed by the sandbox, so always well-formed; checked anyway before they reach SQL.
  if (!isUuid(claims.session_id) || !isUuid(claims.from_application_id)) {
    throw importFailure(app.profile, "invalid_token");
  }
  if (claims.for_application_id.toLowerCase() !== app.id)
    throw importFailure(app.profile, "wrong_application");
  const kind = claims.session_kind;

  // The checks apply in the order of the §4 table: token (malformed, expired, another
  // application), already imported, source deleted, then the workflow. A refusal writes nothing.
  const hash = tokenHash(token!);
  const dedupeKey = duplicateKey(app.profile) === "token" ? `token:${hash}` : `session:${claims.session_id}`;
  const newId = randomUUID();

  const created = await db.transaction(async (tx) => {
    // The import row goes first: its unique index decides which of concurrent imports wins.
    try {
      await tx.insert(sandboxImports).values({
        applicationId: app.id,
        dedupeKey,
        tokenHash: hash,
        sourceSessionId: claims.session_id.toLowerCase(),
        sessionId: newId,
        trustReview,
        createdAt: now,
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw importFailure(app.profile, "already_imported");
      throw error;
    }
    // FOR SHARE: a concurrent delete of the source waits until this import has committed.
    const [source] = await tx
      .select()
      .from(sandboxSessions)
      .where(
        and(
          eq(sandboxSessions.id, claims.session_id.toLowerCase()),
          eq(sandboxSessions.applicationId, claims.from_application_id.toLowerCase()),
        ),
      )
      .for("share");
    // A soft-deleted source application takes its sessions with it.
    if (!source || !(await findApplication(tx, source.applicationId))) {
      throw importFailure(app.profile, "source_deleted");
    }
    if (source.kind !== kind) throw importFailure(app.profile, "invalid_token");

    // A workflow of the caller of the token's kind; none named = the caller's default one of that kind.
    let workflow: { id: string } | null = null;
    if (workflowId === null) workflow = await defaultWorkflow(tx, app.id, kind);
    else if (isUuid(workflowId)) {
      const rows = await tx
        .select({ id: sandboxWorkflows.id })
        .from(sandboxWorkflows)
        .where(
          and(
            eq(sandboxWorkflows.id, workflowId.toLowerCase()),
            eq(sandboxWorkflows.applicationId, app.id),
            eq(sandboxWorkflows.kind, kind),
          ),
        );
      workflow = rows[0] ?? null;
    }
    if (!workflow) throw importFailure(app.profile, "workflow_not_found");

    const number = await nextSessionNumber(tx, app.id);
    const lifetime = source.expiresAt ? source.expiresAt.getTime() - source.createdAt.getTime() : null;
    const [row] = await tx
      .insert(sandboxSessions)
      .values({
        id: newId,
        applicationId: app.id,
        number,
        kind,
        status: trustReview ? source.status : "In Review",
        workflowId: workflow.id,
        vendorData: vendorData ?? null,
        createdAt: now,
        expiresAt: lifetime === null ? null : new Date(now.getTime() + lifetime),
        updatedAt: now,
        sharedFromSession: source.id,
        searchName: source.searchName,
        // A deep copy: the importer's session never shares structure with the source.
        summary: structuredClone(source.summary),
        payload: structuredClone(source.payload),
        reviews: [],
      })
      .returning();
    await ensureEntity(tx, app.id, kind, vendorData ?? null);
    const session = toStored(row!);
    await statusChanged(tx, session, now, origin);
    return session;
  });
  kickWebhookWorker();
  return Response.json(renderImportResult(created, app.profile, origin), { status: 201 });
}
