import "server-only";
import type { LineageNodeDto } from "@/lib/schemas/lineage";
import { toSubject } from "@/lib/server/services/sessions";
import { iso } from "./query";
import type { ImportRow, MirrorRow, ShareRow } from "./records";
import type { NodeDraft } from "./walk";

/**
 * What a node of the graph says of its session: the mirror knows ours best, then our import of a
 * clone, then what a step says of its ends (our share of it, the receipt on our share, the
 * manifest of a token we imported). Placeholders stand for a share not imported yet and an import
 * under way or failed.
 */

type Holder = LineageNodeDto["holder"];
type Base = { id: string; depth: number; deleted: boolean };

export type Known = {
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

function partnerHolder(id: string, name: string, diditApplicationId: string): Holder {
  return { type: "partner", id, name, diditApplicationId };
}

export function describeNode(draft: NodeDraft, k: Known): LineageNodeDto {
  const base: Base = { id: draft.id, depth: draft.depth, deleted: false };
  const [prefix, rec] = draft.id.includes(":") ? draft.id.split(":") : [null, null];
  if (prefix === "pending" && rec) return pendingNode(base, k.shareById.get(rec)!);
  if (prefix === "import" && rec) return importingNode(base, k.importById.get(rec)!);
  const m = k.mirrorOf.get(draft.id);
  const imp = k.cloneImport.get(draft.id);
  if (m) return mirroredNode(base, m, imp, k.names);
  if (imp) return importedNode(base, imp);
  // A session of ours we shared but no longer mirror.
  const shared = k.shareRows.find((s) => s.session_id === draft.id);
  if (shared) return sharedNode(base, shared);
  // A partner's clone named by its receipt on our share.
  const receipt = k.shareRows.find((s) => s.receipt_clone_session_id === draft.id);
  if (receipt) return receiptNode(base, receipt);
  // A partner's session we imported a token of (Didit accepted it): what its manifest claimed.
  return claimedNode(
    base,
    k.importRows.find((i) => i.source_session_id === draft.id),
  );
}

/** Our share whose receipt names no clone yet: rejected, or not imported yet. */
function pendingNode(base: Base, s: ShareRow): LineageNodeDto {
  return {
    ...base,
    sessionNumber: null,
    kind: s.session_kind,
    status: null,
    holder: partnerHolder(s.partner_id, s.partner_name, s.partner_didit_id),
    at: iso(s.receipt_at),
    href: `/shares/${s.id}`,
    placeholder:
      s.receipt_status === "rejected"
        ? `Rejected by ${s.partner_name}${s.receipt_reason ? `: ${s.receipt_reason}` : ""}`
        : `Not imported yet (share ${s.state})`,
  };
}

/** Our import with no clone yet: under way, or failed. */
function importingNode(base: Base, i: ImportRow): LineageNodeDto {
  return {
    ...base,
    sessionNumber: null,
    kind: i.session_kind,
    status: null,
    holder: appHolder(i.application_id, i.application_name, i.application_didit_id),
    at: iso(i.started_at),
    href: `/reviews/${i.id}`,
    placeholder:
      i.state === "failed" ? `Import failed${i.failure_reason ? `: ${i.failure_reason}` : ""}` : "Importing",
  };
}

function mirroredNode(base: Base, m: MirrorRow, imp: ImportRow | undefined, names: boolean): LineageNodeDto {
  const removed = m.redacted_at !== null && m.redacted_at !== undefined;
  const subject = names ? toSubject({ name: m.display_name, removed }) : undefined;
  return {
    ...base,
    ...(subject ? { subject } : {}),
    sessionNumber: m.session_number,
    kind: m.kind,
    status: m.status,
    holder: appHolder(m.application_id, m.application_name, m.application_didit_id),
    at: iso(m.created_at),
    href: imp ? `/reviews/${imp.id}` : base.depth === 0 ? null : `/lineage/${base.id}`,
    deleted: m.deleted_at !== null && m.deleted_at !== undefined,
  };
}

function importedNode(base: Base, imp: ImportRow): LineageNodeDto {
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

function sharedNode(base: Base, shared: ShareRow): LineageNodeDto {
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

function receiptNode(base: Base, receipt: ShareRow): LineageNodeDto {
  return {
    ...base,
    sessionNumber: null,
    kind: receipt.session_kind,
    status: null,
    holder: partnerHolder(receipt.partner_id, receipt.partner_name, receipt.partner_didit_id),
    at: iso(receipt.receipt_at),
    href: `/shares/${receipt.id}`,
  };
}

function claimedNode(base: Base, source: ImportRow | undefined): LineageNodeDto {
  return {
    ...base,
    sessionNumber: source?.manifest?.session_number ?? null,
    kind: source?.session_kind ?? null,
    status: source?.manifest?.status ?? null,
    holder: source
      ? partnerHolder(source.partner_id, source.partner_name, source.partner_didit_id)
      : { type: "partner", id: null, name: "Unknown holder", diditApplicationId: null },
    at: source?.manifest?.created_at ?? null,
    href: null,
    ...(source?.manifest ? { claimed: true } : {}),
  };
}
