import "server-only";
import { sql } from "drizzle-orm";
import type { LineageMatchDto, LineageSearchResponse } from "@/lib/schemas/lineage";
import { foldSearch } from "@/lib/search-fold";
import type { DbOrTx } from "@/lib/server/db/types";
import { AppError, type ServiceContext, assertCan, UUID_RE } from "@/lib/server/kernel";
import { canReadNames, toSubject, foldedTextMatch, MIN_NAME_TERM } from "@/lib/server/services/sessions";
import { query } from "./query";

/** From what a person types (a session uuid, a session number, a vendor_data, a name) to sessions. */

const MAX_MATCHES = 20;
const NUMBER_RE = /^\d{1,9}$/;

type Candidate = { sessionId: string; applicationId: string; applicationName: string };

/**
 * A uuid (any case) must be a session some record of ours names; digits are a session number,
 * of a mirror row or of an imported clone. Two sessions with that number (two applications):
 * 409 listing them, unless `applicationId` picks one.
 */
export async function resolveLineageRef(
  db: DbOrTx,
  ref: string,
  opts: { applicationId?: string } = {},
): Promise<string> {
  const value = ref.trim();
  if (UUID_RE.test(value)) {
    const id = value.toLowerCase();
    if (!(await isKnownSession(db, id))) throw new AppError("not_found", "No record of this session.");
    return id;
  }
  if (!NUMBER_RE.test(value)) {
    throw new AppError("validation_failed", "Give a session uuid or a session number.", {
      fields: { sessionId: ["Expected a session uuid or a session number."] },
    });
  }
  const n = Number(value);
  const app = opts.applicationId ? sql`and a.id = ${opts.applicationId}::uuid` : sql``;
  const rows = await query<{ session_id: string; application_id: string; application_name: string }>(
    db,
    sql`select distinct on (session_id, application_id) session_id::text, application_id::text, application_name from (
          select m.didit_session_id as session_id, a.id as application_id, a.name as application_name
            from session_mirror m join connected_applications a on a.id = m.application_id
           where m.session_number = ${n} ${app}
          union all
          select i.clone_session_id, a.id, a.name
            from imports i join connected_applications a on a.id = i.application_id
           where i.clone_session_number = ${n} and i.clone_session_id is not null ${app}
        ) c order by session_id, application_id`,
  );
  const sessions = new Map<string, Candidate>();
  for (const r of rows) {
    if (!sessions.has(r.session_id)) {
      sessions.set(r.session_id, {
        sessionId: r.session_id,
        applicationId: r.application_id,
        applicationName: r.application_name,
      });
    }
  }
  if (sessions.size === 0) throw new AppError("not_found", `No session number ${n} in our records.`);
  if (sessions.size > 1) {
    throw new AppError(
      "conflict",
      `Session number ${n} exists in several applications: pick one with ?applicationId=.`,
      { candidates: [...sessions.values()] },
    );
  }
  return [...sessions.keys()][0]!;
}

export async function isKnownSession(db: DbOrTx, id: string): Promise<boolean> {
  // Indexed lookups first; shares by receipt clone and inbox items by source have no index.
  const [row] = await query<{ known: boolean }>(
    db,
    sql`select (
          exists (select 1 from session_mirror where didit_session_id = ${id}::uuid)
          or exists (select 1 from imports where clone_session_id = ${id}::uuid)
          or exists (select 1 from imports where source_session_id = ${id}::uuid and state = 'imported')
          or exists (select 1 from shares where session_id = ${id}::uuid)
          or exists (select 1 from session_mirror where shared_from_session = ${id}::uuid)
          or exists (select 1 from shares where receipt_clone_session_id = ${id}::uuid)
        ) as known`,
  );
  return row?.known === true;
}

/** The page's search box: a uuid, a session number, or a vendor_data (exact, any case) → sessions. */
export async function searchLineage(ctx: ServiceContext, q: string): Promise<LineageSearchResponse> {
  assertCan(ctx, "lineage.read");
  const value = q.trim();
  if (value === "") throw new AppError("validation_failed", "Type a session uuid, number or vendor_data.");
  const names = canReadNames(ctx);
  const terms = value.toLowerCase().split(/\s+/).slice(0, 5);
  // A name or company (a term of 3 letters or more), folded as the session picker folds it.
  const byName =
    names && !NUMBER_RE.test(value) && terms.some((t) => foldSearch(t).length >= MIN_NAME_TERM)
      ? foldedTextMatch(sql`m.search_text`, terms)
      : null;
  const where = UUID_RE.test(value)
    ? sql`m.didit_session_id = ${value.toLowerCase()}::uuid`
    : NUMBER_RE.test(value)
      ? sql`(m.session_number = ${Number(value)} or lower(m.vendor_data) = ${value.toLowerCase()})`
      : byName
        ? sql`(lower(m.vendor_data) = ${value.toLowerCase()} or ${byName})`
        : sql`lower(m.vendor_data) = ${value.toLowerCase()}`;
  const rows = await query<{
    session_id: string;
    session_number: number | null;
    status: string;
    vendor_data: string | null;
    holder_name: string;
    display_name: string | null;
    redacted_at: unknown;
  }>(
    ctx.db,
    sql`select m.didit_session_id::text as session_id, m.session_number, m.status, m.vendor_data, a.name as holder_name,
               m.display_name, m.redacted_at
          from session_mirror m join connected_applications a on a.id = m.application_id
         where ${where}
         order by m.didit_created_at desc, m.id desc limit ${MAX_MATCHES}`,
  );
  const matches: LineageMatchDto[] = rows.map((r) => ({
    ...(names ? { subject: toSubject({ name: r.display_name, removed: r.redacted_at != null }) } : {}),
    sessionId: r.session_id,
    sessionNumber: r.session_number,
    status: r.status,
    vendorData: r.vendor_data,
    holderName: r.holder_name,
  }));
  if (matches.length === 0 && UUID_RE.test(value) && (await isKnownSession(ctx.db, value.toLowerCase()))) {
    // Known to our records (a partner's session, a clone not mirrored yet) though not in the mirror.
    matches.push({
      sessionId: value.toLowerCase(),
      sessionNumber: null,
      status: null,
      vendorData: null,
      holderName: "",
    });
  }
  return { matches };
}
