import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { and, eq, isNull, sql } from "drizzle-orm";
import { sandboxApplications } from "@/lib/server/db/schema";
import type { DbOrTx } from "@/lib/server/db/types";
import { defaultWorkflow } from "@/lib/server/sandbox/applications";
import { notFound } from "@/lib/server/sandbox/errors";
import { generateSession } from "@/lib/server/sandbox/generator";
import {
  SESSION_STATUSES,
  type SessionKind,
  type SessionStatus,
  type SessionSummary,
} from "@/lib/server/sandbox/types";

/** A plausible spread of statuses for generated data (weights, not percentages). */
export const STATUS_WEIGHTS: Record<SessionStatus, number> = {
  Approved: 45,
  Declined: 12,
  "In Review": 10,
  "In Progress": 7,
  "Not Started": 6,
  "Awaiting User": 4,
  Resubmitted: 3,
  Expired: 6,
  "Kyc Expired": 3,
  Abandoned: 4,
};

const SESSION_LIFETIME_MS = 7 * 24 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

export type BulkCreateOptions = {
  applicationId: string;
  count: number;
  /** Relative weights of the kinds; the split is exact (e.g. 240:60 of 300 gives 240 and 60). */
  kindMix?: { user: number; business: number };
  /** Seeds are `${seedPrefix}:${session_number}`: the same prefix gives the same people again. */
  seedPrefix?: string;
  /** vendor_data `${prefix}${kind}-${number}` (and its User/Business entity); null for none. */
  vendorDataPrefix?: string | null;
  /** created_at runs evenly over the `spreadDays` before `now`, in session-number order. */
  now?: Date;
  spreadDays?: number;
  /** Rows per INSERT (one transaction per batch, numbers reserved by one UPDATE per batch). */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
};

type BulkRow = {
  id: string;
  number: number;
  kind: SessionKind;
  status: SessionStatus;
  workflow_id: string;
  vendor_data: string | null;
  created_at: string;
  expires_at: string;
  search_name: string | null;
  summary: SessionSummary;
  payload: Record<string, unknown>;
};

export type BulkCreateResult = { created: number; firstNumber: number | null; lastNumber: number | null };

/**
 * Creates `count` generated sessions fast: per batch, one UPDATE reserves a block of session numbers
 * (so numbers stay consecutive, without gaps, even beside concurrent single creations) and one
 * multi-row INSERT writes the rows. Every status of both kinds appears among the first sessions of
 * each kind; after that statuses follow STATUS_WEIGHTS, deterministically by seed.
 */
export async function bulkCreateSessions(db: DbOrTx, options: BulkCreateOptions): Promise<BulkCreateResult> {
  const total = Math.max(0, Math.floor(options.count));
  const mix = options.kindMix ?? { user: 4, business: 1 };
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 2000, 3000));
  const now = options.now ?? new Date();
  const spreadMs = (options.spreadDays ?? 90) * DAY_MS;
  const seedPrefix = options.seedPrefix ?? options.applicationId;
  const vendorPrefix = options.vendorDataPrefix === undefined ? null : options.vendorDataPrefix;
  const workflows = {
    user: await defaultWorkflow(db, options.applicationId, "user"),
    business: await defaultWorkflow(db, options.applicationId, "business"),
  };
  if (!workflows.user || !workflows.business) throw notFound();

  const picker = kindPicker(mix);
  const seenPerKind = { user: 0, business: 0 };
  let firstNumber: number | null = null;
  let lastNumber: number | null = null;
  let done = 0;

  while (done < total) {
    const n = Math.min(batchSize, total - done);
    await db.transaction(async (tx) => {
      const [reserved] = await tx
        .update(sandboxApplications)
        .set({ nextSessionNumber: sql`${sandboxApplications.nextSessionNumber} + ${n}` })
        .where(and(eq(sandboxApplications.id, options.applicationId), isNull(sandboxApplications.deletedAt)))
        .returning({ next: sandboxApplications.nextSessionNumber });
      if (!reserved) throw notFound();
      const first = Number(reserved.next) - n;
      const rows: BulkRow[] = [];
      const entities: { kind: SessionKind; vendor_data: string; created_at: string }[] = [];
      for (let i = 0; i < n; i++) {
        const index = done + i;
        const number = first + i;
        const kind = picker(index);
        const seed = `${seedPrefix}:${number}`;
        const nthOfKind = seenPerKind[kind]++;
        const status =
          nthOfKind < SESSION_STATUSES.length ? SESSION_STATUSES[nthOfKind]! : weightedStatus(seed);
        const createdAt = new Date(now.getTime() - spreadMs + Math.round(((index + 1) / total) * spreadMs));
        const { summary, payload } = generateSession(seed, { kind, status, createdAt });
        const vendorData = vendorPrefix === null ? null : `${vendorPrefix}${kind}-${number}`;
        const created = createdAt.toISOString();
        rows.push({
          id: randomUUID(),
          number,
          kind,
          status,
          workflow_id: workflows[kind]!.id,
          vendor_data: vendorData,
          created_at: created,
          expires_at: new Date(createdAt.getTime() + SESSION_LIFETIME_MS).toISOString(),
          search_name: [summary.full_name, summary.company_name].filter(Boolean).join(" ") || null,
          summary,
          payload,
        });
        if (vendorData) entities.push({ kind, vendor_data: vendorData, created_at: created });
      }
      // One parameter per batch: the rows travel as one JSON document and Postgres unpacks them.
      // Far cheaper on the Node side than 14 bound parameters per row.
      await tx.execute(sql`
        insert into sandbox.sessions (id, application_id, number, kind, status, workflow_id, vendor_data,
                                      created_at, expires_at, updated_at, search_name, summary, payload, reviews)
        select x.id, ${options.applicationId}::uuid, x.number, x.kind, x.status, x.workflow_id, x.vendor_data,
               x.created_at, x.expires_at, x.created_at, x.search_name, x.summary, x.payload, '[]'::jsonb
          from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(
               id uuid, number bigint, kind text, status text, workflow_id uuid, vendor_data text,
               created_at timestamptz, expires_at timestamptz, search_name text, summary jsonb, payload jsonb)`);
      if (entities.length > 0) {
        await tx.execute(sql`
          insert into sandbox.entities (application_id, kind, vendor_data, created_at)
          select ${options.applicationId}::uuid, x.kind, x.vendor_data, x.created_at
            from jsonb_to_recordset(${JSON.stringify(entities)}::jsonb)
                 as x(kind text, vendor_data text, created_at timestamptz)
          on conflict do nothing`);
      }
      firstNumber ??= first;
      lastNumber = first + n - 1;
    });
    done += n;
    options.onProgress?.(done, total);
  }
  return { created: total, firstNumber, lastNumber };
}

/** Index → kind with an exact proportional split (a Bresenham-style interleave). */
function kindPicker(mix: { user: number; business: number }): (index: number) => SessionKind {
  const u = Math.max(0, mix.user);
  const b = Math.max(0, mix.business);
  if (u + b === 0) return () => "user";
  const share = b / (u + b);
  return (i) => (Math.floor((i + 1) * share) > Math.floor(i * share) ? "business" : "user");
}

const WEIGHT_TOTAL = Object.values(STATUS_WEIGHTS).reduce((a, w) => a + w, 0);

function weightedStatus(seed: string): SessionStatus {
  const roll = createHash("sha256").update(`status:${seed}`).digest().readUInt32BE(0) % WEIGHT_TOTAL;
  let acc = 0;
  for (const status of SESSION_STATUSES) {
    acc += STATUS_WEIGHTS[status];
    if (roll < acc) return status;
  }
  return "Approved";
}
