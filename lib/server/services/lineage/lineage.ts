import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type {
  LineageAuditEventDto,
  LineageEdgeDto,
  LineageGraphDto,
  LineageRecallDto,
  LineageMatchDto,
  LineageNodeDto,
  LineageSearchResponse,
} from "@/lib/schemas/lineage";
import type { SessionKind } from "@/lib/schemas/partners";
import { auditSentence, sentenceText, userIdsIn, type SentencePerson } from "@/lib/audit-sentences";
import { foldSearch } from "@/lib/search-fold";
import { rowsOf, type DbOrTx } from "@/lib/server/db/types";
import { AppError, type ServiceContext, assertCan } from "@/lib/server/kernel";
import { canReadNames, toSubject, foldedTextMatch, MIN_NAME_TERM } from "@/lib/server/services/sessions";

/**
 * The lineage graph around one session, from our records only: upstream through the import that
 * made a clone, the share whose receipt named it, or the mirror's `shared_from_session`; downstream
 * through our shares of it (to the receipt's clone, or a placeholder while none is known), our
 * imports of it that Didit accepted, and mirror rows that say they were shared from it, then
 * recursively from those. One batched query per hop (each a union of index scans), then one query
 * per record table for the whole graph: bounded by MAX_HOPS, and past MAX_CHILDREN children of a
 * node the rest are one group node.
 */

export const MAX_HOPS = 100;
export const MAX_CHILDREN = 50;
/** A group node names this many of the sessions it stands for. */
export const GROUP_SAMPLE = 5;
/** Past this many nodes the walk stops (said by `truncated`). */
export const MAX_NODES = 2_000;
const MAX_MATCHES = 20;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMBER_RE = /^\d{1,9}$/;

type Holder = LineageNodeDto["holder"];
type NodeDraft = { id: string; depth: number };
type Step = { kind: "share" | "import" | "mirror"; parent: string; child: string; rec: string };

/** A uuid array as one parameter (`= any(...)`), whatever the number of ids. */
function idArray(ids: readonly string[]): SQL {
  return sql`${`{${ids.join(",")}}`}::uuid[]`;
}

function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const d = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

async function query<T>(db: DbOrTx, q: SQL): Promise<T[]> {
  return rowsOf<T>(await db.execute(q));
}

// --- Resolving the ref ---------------------------------------------------------------------------

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

async function isKnownSession(db: DbOrTx, id: string): Promise<boolean> {
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

// --- The walk ------------------------------------------------------------------------------------

type WalkRow = { node: string; sid: string | null; parent: string | null; depth: number | string };

/**
 * Upstream in one recursive query: a session has one origin (our import of it, the mirror's
 * shared_from_session, or, asked last because `shares.receipt_clone_session_id` has no index, the
 * receipt on our share), so this is a path; `limit 1` over the union stops at the first that answers.
 */
async function ancestorsOf(db: DbOrTx, root: string): Promise<WalkRow[]> {
  return query<WalkRow>(
    db,
    sql`with recursive u(node, parent, depth, seen) as (
          select ${root}::uuid, null::uuid, 0, array[${root}::uuid]
          union all
          select p.parent, null::uuid, u.depth - 1, u.seen || p.parent
            from u cross join lateral (
              select x.parent from (
                select i.source_session_id as parent from imports i where i.clone_session_id = u.node
                union all
                select m.shared_from_session from session_mirror m
                 where m.didit_session_id = u.node and m.shared_from_session is not null
                union all
                select s.session_id from shares s where s.receipt_clone_session_id = u.node
              ) x limit 1
            ) p
           where u.depth > ${-MAX_HOPS - 1} and not p.parent = any(u.seen)
        )
        select node::text as node, node::text as sid, null as parent, depth from u where depth < 0`,
  );
}

/**
 * Downstream in one recursive query: each node's first MAX_CHILDREN children (by when they appeared:
 * our shares, to the receipt's clone or a placeholder; our imports; mirror rows shared from it),
 * placeholders as leaves, at most MAX_HOPS + 1 deep (one more than shown: says it was cut).
 */
async function descendantsOf(db: DbOrTx, root: string): Promise<WalkRow[]> {
  return query<WalkRow>(
    db,
    sql`with recursive d(node, sid, parent, depth, seen) as (
          select ${root}::text, ${root}::uuid, null::text, 0, array[${root}::text]
          union all
          select c.child, c.sid, d.node, d.depth + 1, d.seen || c.child
            from d cross join lateral (
              select k.child, k.sid from (
                (select coalesce(s.receipt_clone_session_id::text, 'pending:' || s.id::text) as child,
                        s.receipt_clone_session_id as sid, s.created_at as at
                   from shares s where s.session_id = d.sid order by s.created_at, s.id limit ${MAX_CHILDREN})
                union all
                (select coalesce(i.clone_session_id::text, 'import:' || i.id::text), i.clone_session_id, i.created_at
                   from imports i where i.source_session_id = d.sid and i.state = 'imported'
                  order by i.created_at, i.id limit ${MAX_CHILDREN})
                union all
                (select m.didit_session_id::text, m.didit_session_id, m.didit_created_at
                   from session_mirror m where m.shared_from_session = d.sid
                  order by m.didit_created_at, m.id limit ${MAX_CHILDREN})
              ) k
              group by k.child, k.sid order by min(k.at), k.child limit ${MAX_CHILDREN}
            ) c
           where d.depth <= ${MAX_HOPS} and not c.child = any(d.seen)
        )
        select node, sid::text as sid, parent, depth from d where depth > 0`,
  );
}

type GroupRow = {
  parent: string;
  total: number | string;
  estimated: boolean;
  sample: string[] | string | null;
};

/**
 * Past this many children a group's size is not counted exactly (a distinct union over every step
 * row of the node, tens of milliseconds at 10,000) but bounded below by the largest of the three
 * counts (shares, imports, mirror rows of it), each read from an index: the group says "at least".
 */
export const EXACT_GROUP_COUNT_UP_TO = 1_000;

/** For the nodes that have MAX_CHILDREN children shown: how many they have, and a few past those. */
async function groupsOf(db: DbOrTx, parents: string[]): Promise<GroupRow[]> {
  if (parents.length === 0) return [];
  const top = MAX_CHILDREN + GROUP_SAMPLE;
  return query<GroupRow>(
    db,
    // Materialized: inlined, the planner evaluated each count twice (in the filter and the output).
    sql`with c as materialized (
          select p.id,
                 (select count(*) from shares s where s.session_id = p.id) as a,
                 (select count(*) from imports i where i.source_session_id = p.id and i.state = 'imported') as b,
                 (select count(*) from session_mirror m where m.shared_from_session = p.id) as m
            from unnest(${idArray(parents)}) as p(id)
        ), t as materialized (
          select c.id, greatest(c.a, c.b, c.m) as lower,
                 case when greatest(c.a, c.b, c.m) > ${EXACT_GROUP_COUNT_UP_TO} then null else (
                   select count(*) from (
                     select coalesce(s.receipt_clone_session_id::text, 'pending:' || s.id::text) from shares s where s.session_id = c.id
                     union
                     select coalesce(i.clone_session_id::text, 'import:' || i.id::text) from imports i
                      where i.source_session_id = c.id and i.state = 'imported'
                     union
                     select m.didit_session_id::text from session_mirror m where m.shared_from_session = c.id
                   ) x
                 ) end as exact
            from c
        )
        select t.id::text as parent, coalesce(t.exact, t.lower) as total, t.exact is null as estimated, g.sample
          from t
          cross join lateral (
            select array_agg(child order by at, child) as sample from (
              select child, min(at) as at from (
                (select coalesce(s.receipt_clone_session_id::text, 'pending:' || s.id::text) as child, s.created_at as at
                   from shares s where s.session_id = t.id order by s.created_at, s.id limit ${top})
                union all
                (select coalesce(i.clone_session_id::text, 'import:' || i.id::text), i.created_at
                   from imports i where i.source_session_id = t.id and i.state = 'imported'
                  order by i.created_at, i.id limit ${top})
                union all
                (select m.didit_session_id::text, m.didit_created_at
                   from session_mirror m where m.shared_from_session = t.id order by m.didit_created_at, m.id limit ${top})
              ) c group by child order by min(at), child offset ${MAX_CHILDREN} limit ${GROUP_SAMPLE}
            ) k
          ) g
         where coalesce(t.exact, t.lower) > ${MAX_CHILDREN}`,
  );
}

/** The records of every step between two nodes of the graph. */
async function stepsBetween(db: DbOrTx, parents: string[], children: string[]): Promise<Step[]> {
  if (parents.length === 0 || children.length === 0) return [];
  const p = idArray(parents);
  const clones = idArray(children.filter((id) => UUID_RE.test(id)));
  const ofPrefix = (prefix: string) =>
    idArray(children.filter((id) => id.startsWith(prefix)).map((id) => id.slice(prefix.length)));
  return query<Step>(
    db,
    sql`select 'share' as kind, s.session_id::text as parent,
               coalesce(s.receipt_clone_session_id::text, 'pending:' || s.id::text) as child, s.id::text as rec
          from shares s
         where s.session_id = any(${p})
           and (s.receipt_clone_session_id = any(${clones}) or s.id = any(${ofPrefix("pending:")}))
        union all
        select 'import', i.source_session_id::text, coalesce(i.clone_session_id::text, 'import:' || i.id::text), i.id::text
          from imports i
         where i.clone_session_id = any(${clones}) and i.source_session_id = any(${p})
        union all
        select 'import', i.source_session_id::text, 'import:' || i.id::text, i.id::text
          from imports i where i.id = any(${ofPrefix("import:")})
        union all
        select 'mirror', m.shared_from_session::text, m.didit_session_id::text, m.id::text
          from session_mirror m where m.didit_session_id = any(${clones}) and m.shared_from_session = any(${p})`,
  );
}

type Walk = {
  nodes: Map<string, NodeDraft>;
  steps: Map<string, Step>;
  groups: { parent: string; depth: number; count: number; sample: string[]; estimated: boolean }[];
  truncated: boolean;
};

async function walk(db: DbOrTx, root: string): Promise<Walk> {
  const w: Walk = {
    nodes: new Map([[root, { id: root, depth: 0 }]]),
    steps: new Map(),
    groups: [],
    truncated: false,
  };
  const [up, down] = await Promise.all([ancestorsOf(db, root), descendantsOf(db, root)]);
  const pairsParent = new Set<string>();
  const pairsChild = new Set<string>();
  let previous = root;
  for (const r of [...up].sort((a, b) => Number(b.depth) - Number(a.depth))) {
    const depth = Number(r.depth);
    if (-depth > MAX_HOPS) {
      w.truncated = true;
      break;
    }
    if (!w.nodes.has(r.node)) w.nodes.set(r.node, { id: r.node, depth });
    pairsParent.add(r.node);
    pairsChild.add(previous);
    previous = r.node;
  }
  const childCount = new Map<string, number>();
  for (const r of down) {
    const depth = Number(r.depth);
    if (depth > MAX_HOPS) {
      w.truncated = true;
      continue;
    }
    if (w.nodes.size >= MAX_NODES && !w.nodes.has(r.node)) {
      w.truncated = true;
      continue;
    }
    if (!w.nodes.has(r.node)) w.nodes.set(r.node, { id: r.node, depth });
    pairsParent.add(r.parent!);
    pairsChild.add(r.node);
    childCount.set(r.parent!, (childCount.get(r.parent!) ?? 0) + 1);
  }

  const full = [...childCount].filter(([, n]) => n >= MAX_CHILDREN).map(([id]) => id);
  // Tokens in our inbox not imported are not drawn: their claims are unverified (only Didit can
  // confirm them, on import), so they make no partner session node and no edge.
  const [steps, groups] = await Promise.all([
    stepsBetween(db, [...pairsParent], [...pairsChild]),
    groupsOf(db, full),
  ]);
  for (const s of steps) {
    if (w.nodes.has(s.parent) && w.nodes.has(s.child)) w.steps.set(`${s.kind}:${s.rec}`, s);
  }
  const groupOf = new Map<string, { count: number; sample: string[]; estimated: boolean }>();
  for (const g of groups) {
    const sample =
      typeof g.sample === "string"
        ? g.sample.replace(/[{}"]/g, "").split(",").filter(Boolean)
        : (g.sample ?? []);
    groupOf.set(g.parent, {
      count: Number(g.total) - MAX_CHILDREN,
      sample: sample.filter((id) => UUID_RE.test(id)),
      estimated: g.estimated === true || String(g.estimated) === "t",
    });
  }
  for (const [parent, g] of groupOf) {
    w.groups.push({ parent, depth: (w.nodes.get(parent)?.depth ?? 0) + 1, ...g });
    w.truncated = true;
  }
  return w;
}

// --- The records of the graph --------------------------------------------------------------------

type ShareRow = {
  id: string;
  session_id: string;
  session_number: number | null;
  session_kind: SessionKind;
  source_status: string;
  application_id: string;
  application_name: string;
  application_didit_id: string;
  partner_id: string;
  partner_name: string;
  partner_didit_id: string;
  channel: string;
  state: string;
  created_at: unknown;
  delivered_at: unknown;
  receipt_status: string | null;
  receipt_clone_session_id: string | null;
  receipt_reason: string | null;
  receipt_at: unknown;
  recalled_at: unknown;
  recall_id: string | null;
  recall_trigger: string | null;
  recall_reason: string | null;
  /** `channel:state` of each notice of the share's latest recall. */
  recall_notices: string[] | null;
};

type ImportRow = {
  id: string;
  inbox_item_id: string;
  application_id: string;
  application_name: string;
  application_didit_id: string;
  partner_id: string;
  partner_name: string;
  partner_didit_id: string;
  source_session_id: string;
  clone_session_id: string | null;
  clone_session_number: number | null;
  session_kind: SessionKind;
  state: string;
  status: string | null;
  trust_review: boolean;
  sender_share_id: string | null;
  started_at: unknown;
  finished_at: unknown;
  failure_reason: string | null;
  manifest: { session_number?: number | null; status?: string; created_at?: string | null } | null;
  recalled_at: unknown;
  recall_trigger: string | null;
  recall_reason: string | null;
  inbound_recall_id: string | null;
  recall_cleared_at: unknown;
};

type MirrorRow = {
  id: string;
  session_id: string;
  session_number: number | null;
  kind: SessionKind;
  status: string;
  created_at: unknown;
  deleted_at: unknown;
  shared_from_session: string | null;
  application_id: string;
  application_name: string;
  application_didit_id: string;
  display_name: string | null;
  redacted_at: unknown;
};

type AuditRow = {
  seq: number | string;
  id: string;
  action: string;
  actor_label: string;
  actor_id: string | null;
  actor_name: string | null;
  actor_email: string | null;
  data: unknown;
  occurred_at: unknown;
  hash: string;
  entity_type: string;
  entity_id: string;
};

function idsOf(steps: Step[], kind: Step["kind"]): string[] {
  return [...new Set(steps.filter((s) => s.kind === kind).map((s) => s.rec))];
}

async function loadShares(db: DbOrTx, ids: string[]): Promise<ShareRow[]> {
  if (ids.length === 0) return [];
  return query<ShareRow>(
    db,
    sql`select s.id::text, s.session_id::text, s.session_number, s.session_kind, s.source_status,
               a.id::text as application_id, a.name as application_name, a.didit_application_id::text as application_didit_id,
               p.id::text as partner_id, p.name as partner_name, p.didit_application_id::text as partner_didit_id,
               s.channel, s.state, s.created_at, s.delivered_at, s.receipt_status,
               s.receipt_clone_session_id::text, s.receipt_reason, s.receipt_at,
               s.recalled_at, s.recall_id::text, r.trigger as recall_trigger, r.reason as recall_reason,
               (select array_agg(n.channel || ':' || n.state order by n.created_at, n.id)
                  from recall_notices n where n.share_id = s.id and n.recall_id = s.recall_id) as recall_notices
          from shares s
          join connected_applications a on a.id = s.application_id
          join partners p on p.id = s.partner_id
          left join recalls r on r.id = s.recall_id
         where s.id = any(${idArray(ids)})`,
  );
}

/** Imports by id, plus every import whose clone is one of `clones` (a node's holder and status). */
async function loadImports(db: DbOrTx, ids: string[], clones: string[]): Promise<ImportRow[]> {
  if (ids.length === 0 && clones.length === 0) return [];
  return query<ImportRow>(
    db,
    sql`select i.id::text, i.inbox_item_id::text, a.id::text as application_id, a.name as application_name,
               a.didit_application_id::text as application_didit_id,
               p.id::text as partner_id, p.name as partner_name, p.didit_application_id::text as partner_didit_id,
               i.source_session_id::text, i.clone_session_id::text, i.clone_session_number, i.session_kind,
               i.state, coalesce(i.status, i.status_at_import) as status, i.trust_review, i.sender_share_id::text,
               i.started_at, i.finished_at, i.failure_reason, b.manifest,
               i.recalled_at, i.recall_trigger, i.recall_reason, i.inbound_recall_id::text, i.recall_cleared_at
          from imports i
          join connected_applications a on a.id = i.application_id
          join partners p on p.id = i.partner_id
          join inbox_items b on b.id = i.inbox_item_id
         where i.id = any(${idArray(ids)}) or i.clone_session_id = any(${idArray(clones)})`,
  );
}

async function loadMirror(db: DbOrTx, sessions: string[]): Promise<MirrorRow[]> {
  if (sessions.length === 0) return [];
  return query<MirrorRow>(
    db,
    sql`select m.id::text, m.didit_session_id::text as session_id, m.session_number, m.kind, m.status,
               m.didit_created_at as created_at, m.deleted_at, m.shared_from_session::text,
               m.display_name, m.redacted_at,
               a.id::text as application_id, a.name as application_name, a.didit_application_id::text as application_didit_id
          from session_mirror m join connected_applications a on a.id = m.application_id
         where m.didit_session_id = any(${idArray(sessions)})
         order by m.synced_at desc`,
  );
}

async function loadAudit(
  db: DbOrTx,
  entities: {
    share: string[];
    import: string[];
    inbox_item: string[];
    recall: string[];
    inbound_recall: string[];
  },
): Promise<AuditRow[]> {
  const parts: SQL[] = [];
  for (const [type, ids] of Object.entries(entities)) {
    if (ids.length === 0) continue;
    parts.push(sql`(a.entity_type = ${type} and a.entity_id = any(${`{${ids.join(",")}}`}::text[]))`);
  }
  if (parts.length === 0) return [];
  return query<AuditRow>(
    db,
    sql`select a.seq, a.id::text, a.action, a.actor_label, a.occurred_at, a.hash, a.entity_type, a.entity_id,
               a.actor_id::text, u.name as actor_name, u.email as actor_email, a.data
          from audit_events a left join users u on u.id = a.actor_id
         where ${sql.join(parts, sql` or `)}
         order by a.seq`,
  );
}

function dataOf(r: AuditRow): Record<string, unknown> {
  const d = typeof r.data === "string" ? (JSON.parse(r.data) as unknown) : r.data;
  return d && typeof d === "object" && !Array.isArray(d) ? (d as Record<string, unknown>) : {};
}

/** The users the events' data names (assignees, proposers…), in one query. */
async function loadPeople(db: DbOrTx, rows: AuditRow[]): Promise<Map<string, SentencePerson>> {
  const ids = [...new Set(rows.flatMap((r) => userIdsIn(dataOf(r))))];
  const people = new Map<string, SentencePerson>();
  if (ids.length === 0) return people;
  for (const u of await query<{ id: string; name: string; email: string }>(
    db,
    sql`select id::text, name, email from users where id = any(${`{${ids.join(",")}}`}::uuid[])`,
  )) {
    people.set(u.id, u);
  }
  return people;
}

function auditDto(r: AuditRow, people: ReadonlyMap<string, SentencePerson>): LineageAuditEventDto {
  const actor =
    r.actor_id && r.actor_name ? { id: r.actor_id, name: r.actor_name, email: r.actor_email } : null;
  return {
    seq: Number(r.seq),
    id: r.id,
    action: r.action,
    actorLabel: r.actor_label,
    occurredAt: iso(r.occurred_at) ?? "",
    hash: r.hash,
    sentence: auditSentence({ action: r.action, actor, actorLabel: r.actor_label, data: dataOf(r) }, people),
  };
}

// --- The graph -----------------------------------------------------------------------------------

/**
 * The lineage graph around `ref` (a Didit session uuid, or a session number: see
 * resolveLineageRef). Nodes carry their holder, status, number and page; edges their record and
 * the audit events of the step; the timeline every step oldest first.
 */
export async function getLineage(
  ctx: ServiceContext,
  ref: string,
  opts: { applicationId?: string } = {},
): Promise<LineageGraphDto> {
  assertCan(ctx, "lineage.read");
  const db = ctx.db;
  const root = await resolveLineageRef(db, ref, opts);
  const w = await walk(db, root);
  const steps = [...w.steps.values()];
  const sessions = [...w.nodes.keys()].filter((id) => UUID_RE.test(id));

  const [shareRows, importRows, mirrorRows] = await Promise.all([
    loadShares(db, idsOf(steps, "share")),
    loadImports(db, idsOf(steps, "import"), sessions),
    loadMirror(db, sessions),
  ]);
  const shareById = new Map(shareRows.map((r) => [r.id, r]));
  const importById = new Map(importRows.map((r) => [r.id, r]));
  const mirrorById = new Map(mirrorRows.map((r) => [r.id, r]));
  const stepImports = importRows.filter((r) => w.steps.has(`import:${r.id}`));
  const audit = await loadAudit(db, {
    share: shareRows.map((r) => r.id),
    import: stepImports.map((r) => r.id),
    inbox_item: stepImports.map((r) => r.inbox_item_id),
    recall: [...new Set(shareRows.flatMap((r) => (r.recall_id ? [r.recall_id] : [])))],
    inbound_recall: [
      ...new Set(stepImports.flatMap((r) => (r.inbound_recall_id ? [r.inbound_recall_id] : []))),
    ],
  });
  const people = await loadPeople(db, audit);
  const auditOf = new Map<string, LineageAuditEventDto[]>();
  for (const r of audit) {
    const key = `${r.entity_type}:${r.entity_id}`;
    const list = auditOf.get(key) ?? [];
    list.push(auditDto(r, people));
    auditOf.set(key, list);
  }

  // Edges. A mirror row's shared_from_session is only shown where no share or import says it.
  const edges: LineageEdgeDto[] = [];
  const recorded = new Set<string>();
  for (const s of steps) if (s.kind !== "mirror") recorded.add(`${s.parent}>${s.child}`);
  for (const s of steps) {
    if (s.kind === "share") {
      const r = shareById.get(s.rec);
      if (!r) continue;
      edges.push({
        id: `share:${r.id}`,
        from: s.parent,
        to: s.child,
        kind: "share",
        record: {
          type: "share",
          shareId: r.id,
          partnerId: r.partner_id,
          partnerName: r.partner_name,
          channel: r.channel,
          state: r.state,
          createdAt: iso(r.created_at) ?? "",
          deliveredAt: iso(r.delivered_at),
          receiptStatus: r.receipt_status,
          receiptCloneSessionId: r.receipt_clone_session_id,
          recall: shareRecall(r),
        },
        at: iso(r.created_at),
        auditEvents: [
          ...(auditOf.get(`share:${r.id}`) ?? []),
          ...(r.recall_id ? (auditOf.get(`recall:${r.recall_id}`) ?? []) : []),
        ].sort((a, b) => a.seq - b.seq),
      });
    } else if (s.kind === "import") {
      const r = importById.get(s.rec);
      if (!r) continue;
      edges.push({
        id: `import:${r.id}`,
        from: s.parent,
        to: s.child,
        kind: "import",
        record: {
          type: "import",
          importId: r.id,
          partnerId: r.partner_id,
          partnerName: r.partner_name,
          state: r.state,
          trustReview: r.trust_review,
          importedAt: r.state === "imported" ? iso(r.finished_at) : null,
          senderShareId: r.sender_share_id,
          recall: importRecall(r),
        },
        at: iso(r.finished_at) ?? iso(r.started_at),
        auditEvents: [
          ...(auditOf.get(`inbox_item:${r.inbox_item_id}`) ?? []),
          ...(auditOf.get(`import:${r.id}`) ?? []),
          ...(r.inbound_recall_id ? (auditOf.get(`inbound_recall:${r.inbound_recall_id}`) ?? []) : []),
        ].sort((a, b) => a.seq - b.seq),
      });
    } else {
      const r = mirrorById.get(s.rec);
      if (!r || recorded.has(`${s.parent}>${s.child}`)) continue;
      edges.push({
        id: `mirror:${r.id}`,
        from: s.parent,
        to: s.child,
        kind: "observed",
        record: { type: "observed", source: "mirror" },
        at: iso(r.created_at),
        auditEvents: [],
      });
    }
  }

  // Nodes: the mirror knows ours best, then our import of a clone, then what a step says of its ends.
  const mirrorOf = new Map<string, MirrorRow>();
  for (const r of mirrorRows) if (!mirrorOf.has(r.session_id)) mirrorOf.set(r.session_id, r);
  const cloneImport = new Map<string, ImportRow>();
  for (const r of importRows) if (r.clone_session_id) cloneImport.set(r.clone_session_id, r);

  const nodes: LineageNodeDto[] = [];
  for (const draft of w.nodes.values()) {
    nodes.push(
      describeNode(draft, {
        mirrorOf,
        cloneImport,
        shareRows,
        importRows,
        shareById,
        importById,
        names: canReadNames(ctx),
      }),
    );
  }
  for (const g of w.groups) {
    const id = `group:${g.parent}`;
    nodes.push({
      id,
      sessionNumber: null,
      kind: null,
      status: null,
      holder: {
        type: "partner",
        id: null,
        name: g.estimated ? `At least ${g.count} more` : `${g.count} more`,
        diditApplicationId: null,
      },
      at: null,
      depth: g.depth,
      group: g.estimated
        ? { count: g.count, sample: g.sample, estimated: true }
        : { count: g.count, sample: g.sample },
      href: null,
      deleted: false,
    });
    edges.push({
      id: `group:${g.parent}`,
      from: g.parent,
      to: id,
      kind: "group",
      record: { type: "group", count: g.count },
      at: null,
      auditEvents: [],
    });
  }

  nodes.sort(
    (a, b) => a.depth - b.depth || (a.at ?? "").localeCompare(b.at ?? "") || a.id.localeCompare(b.id),
  );
  const recallList: LineageGraphDto["recalls"] = [];
  for (const e of edges) {
    const recall = e.record.type === "share" || e.record.type === "import" ? e.record.recall : null;
    if (recall) recallList.push({ ...recall, edgeId: e.id });
  }
  recallList.sort((a, b) => b.recalledAt.localeCompare(a.recalledAt));
  return {
    root,
    nodes,
    edges,
    timeline: timelineOf(nodes, edges),
    truncated: w.truncated,
    recalls: recallList,
  };
}

function shareRecall(r: ShareRow): LineageRecallDto | null {
  const at = iso(r.recalled_at);
  if (!at) return null;
  return {
    side: "sent",
    id: r.recall_id,
    trigger: r.recall_trigger,
    reason: r.recall_reason,
    recalledAt: at,
    notices: (r.recall_notices ?? []).map((n) => {
      const [channel = "", state = ""] = n.split(":");
      return { channel, state };
    }),
  };
}

function importRecall(r: ImportRow): LineageRecallDto | null {
  const at = iso(r.recalled_at);
  if (!at) return null;
  return {
    side: "received",
    id: r.inbound_recall_id,
    trigger: r.recall_trigger,
    reason: r.recall_reason,
    recalledAt: at,
    cleared: iso(r.recall_cleared_at) !== null,
  };
}

type Known = {
  mirrorOf: Map<string, MirrorRow>;
  cloneImport: Map<string, ImportRow>;
  shareRows: ShareRow[];
  importRows: ImportRow[];
  shareById: Map<string, ShareRow>;
  importById: Map<string, ImportRow>;
  /** The viewer may read names (`sessions.read`): mirrored nodes carry their subject. */
  names: boolean;
};

function appHolder(id: string, name: string, diditApplicationId: string): Holder {
  return { type: "application", id, name, diditApplicationId };
}

function describeNode(draft: NodeDraft, k: Known): LineageNodeDto {
  const base = { id: draft.id, depth: draft.depth, deleted: false };
  const [prefix, rec] = draft.id.includes(":") ? draft.id.split(":") : [null, null];
  if (prefix === "pending" && rec) {
    const s = k.shareById.get(rec)!;
    return {
      ...base,
      sessionNumber: null,
      kind: s.session_kind,
      status: null,
      holder: {
        type: "partner",
        id: s.partner_id,
        name: s.partner_name,
        diditApplicationId: s.partner_didit_id,
      },
      at: iso(s.receipt_at),
      href: `/shares/${s.id}`,
      placeholder:
        s.receipt_status === "rejected"
          ? `Rejected by ${s.partner_name}${s.receipt_reason ? `: ${s.receipt_reason}` : ""}`
          : `Not imported yet (share ${s.state})`,
    };
  }
  if (prefix === "import" && rec) {
    const i = k.importById.get(rec)!;
    return {
      ...base,
      sessionNumber: null,
      kind: i.session_kind,
      status: null,
      holder: appHolder(i.application_id, i.application_name, i.application_didit_id),
      at: iso(i.started_at),
      href: `/reviews/${i.id}`,
      placeholder:
        i.state === "failed"
          ? `Import failed${i.failure_reason ? `: ${i.failure_reason}` : ""}`
          : "Importing",
    };
  }
  const m = k.mirrorOf.get(draft.id);
  const imp = k.cloneImport.get(draft.id);
  if (m) {
    const removed = m.redacted_at !== null && m.redacted_at !== undefined;
    const subject = k.names ? toSubject({ name: m.display_name, removed }) : undefined;
    return {
      ...base,
      ...(subject ? { subject } : {}),
      sessionNumber: m.session_number,
      kind: m.kind,
      status: m.status,
      holder: appHolder(m.application_id, m.application_name, m.application_didit_id),
      at: iso(m.created_at),
      href: imp ? `/reviews/${imp.id}` : draft.depth === 0 ? null : `/lineage/${draft.id}`,
      deleted: m.deleted_at !== null && m.deleted_at !== undefined,
    };
  }
  if (imp) {
    return {
      ...base,
      sessionNumber: imp.clone_session_number,
      kind: imp.session_kind,
      status: imp.status,
      holder: appHolder(imp.application_id, imp.application_name, imp.application_didit_id),
      at: iso(imp.finished_at) ?? iso(imp.started_at),
      href: `/reviews/${imp.id}`,
    };
  }
  // A session of ours we shared but no longer mirror.
  const shared = k.shareRows.find((s) => s.session_id === draft.id);
  if (shared) {
    return {
      ...base,
      sessionNumber: shared.session_number,
      kind: shared.session_kind,
      status: shared.source_status,
      holder: appHolder(shared.application_id, shared.application_name, shared.application_didit_id),
      at: null,
      href: `/shares/${shared.id}`,
    };
  }
  // A partner's clone named by its receipt on our share.
  const receipt = k.shareRows.find((s) => s.receipt_clone_session_id === draft.id);
  if (receipt) {
    return {
      ...base,
      sessionNumber: null,
      kind: receipt.session_kind,
      status: null,
      holder: {
        type: "partner",
        id: receipt.partner_id,
        name: receipt.partner_name,
        diditApplicationId: receipt.partner_didit_id,
      },
      at: iso(receipt.receipt_at),
      href: `/shares/${receipt.id}`,
    };
  }
  // A partner's session we imported a token of (Didit accepted it): what its manifest claimed.
  const source = k.importRows.find((i) => i.source_session_id === draft.id);
  return {
    ...base,
    sessionNumber: source?.manifest?.session_number ?? null,
    kind: source?.session_kind ?? null,
    status: source?.manifest?.status ?? null,
    holder: source
      ? {
          type: "partner",
          id: source.partner_id,
          name: source.partner_name,
          diditApplicationId: source.partner_didit_id,
        }
      : { type: "partner", id: null, name: "Unknown holder", diditApplicationId: null },
    at: source?.manifest?.created_at ?? null,
    href: null,
    ...(source?.manifest ? { claimed: true } : {}),
  };
}

function nodeLabel(n: LineageNodeDto | undefined): string {
  if (!n) return "a session";
  return n.sessionNumber !== null ? `#${n.sessionNumber} (${n.holder.name})` : n.holder.name;
}

function timelineOf(nodes: LineageNodeDto[], edges: LineageEdgeDto[]): LineageGraphDto["timeline"] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out: LineageGraphDto["timeline"] = [];
  for (const n of nodes) {
    if (n.at && !n.group && !n.placeholder) {
      out.push({ at: n.at, edgeId: null, nodeId: n.id, summary: `Session ${nodeLabel(n)} created` });
    }
  }
  for (const e of edges) {
    const recall = e.record.type === "share" || e.record.type === "import" ? e.record.recall : null;
    if (recall && !e.auditEvents.some((a) => a.action.includes("recall"))) {
      out.push({
        at: recall.recalledAt,
        edgeId: e.id,
        nodeId: null,
        summary: `Recalled${recall.side === "received" ? " by the partner" : ""}: ${recall.reason ?? recall.trigger ?? "the source changed"}`,
      });
    }
    if (e.auditEvents.length > 0) {
      for (const a of e.auditEvents) {
        out.push({
          at: a.occurredAt,
          edgeId: e.id,
          nodeId: null,
          summary: sentenceText(a.sentence),
          sentence: a.sentence,
          action: a.action,
        });
      }
    } else if (e.at && e.kind !== "group") {
      const what = e.kind === "observed" ? "Shared from (seen by Didit)" : e.kind;
      out.push({
        at: e.at,
        edgeId: e.id,
        nodeId: null,
        summary: `${what}: ${nodeLabel(byId.get(e.from))} → ${nodeLabel(byId.get(e.to))}`,
      });
    }
  }
  return out.sort((a, b) => a.at.localeCompare(b.at));
}
