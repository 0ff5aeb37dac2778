import "server-only";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/lib/server/db/types";
import { isUuid } from "@/lib/server/kernel";
import { idArray, query } from "./query";

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

/** A node the walk reached, and how far from the root (negative upstream). */
export type NodeDraft = { id: string; depth: number };
/** One step of the graph: the record (share, import or mirror row) between parent and child. */
export type Step = { kind: "share" | "import" | "mirror"; parent: string; child: string; rec: string };

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
  const clones = idArray(children.filter((id) => isUuid(id)));
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

export type Walk = {
  nodes: Map<string, NodeDraft>;
  steps: Map<string, Step>;
  groups: { parent: string; depth: number; count: number; sample: string[]; estimated: boolean }[];
  truncated: boolean;
};

export async function walk(db: DbOrTx, root: string): Promise<Walk> {
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
      sample: sample.filter((id) => isUuid(id)),
      estimated: g.estimated === true || String(g.estimated) === "t",
    });
  }
  for (const [parent, g] of groupOf) {
    w.groups.push({ parent, depth: (w.nodes.get(parent)?.depth ?? 0) + 1, ...g });
    w.truncated = true;
  }
  return w;
}
