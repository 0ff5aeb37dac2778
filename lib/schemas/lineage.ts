import type { Sentence } from "@/lib/audit-sentences";
import type { SessionKind } from "./partners";
import type { SessionSubjectDto } from "./sessions";

/**
 * The lineage graph around one Didit session (`GET /api/lineage/{sessionId}`): upstream through
 * `shared_from_session` across every hop our records reach, downstream through our shares of it,
 * their deliveries and the partners' receipts (with their clone ids), and our own imports of it.
 * Nodes are sessions (ours, a sister brand's, or a partner's as far as we know them); edges are
 * the steps between them (a share, an import), each with the record and the audit events of it.
 */

export type LineageNodeDto = {
  /** The Didit session uuid. */
  id: string;
  /** Whom a session of ours (mirrored) is about; left out for others and for a role that may not read names. */
  subject?: SessionSubjectDto;
  sessionNumber: number | null;
  kind: SessionKind | null;
  /** Title Case, as last seen (our mirror, an import, a receipt); null when we never saw it. */
  status: string | null;
  /** Who holds it: one of our connected applications, or a partner (by our directory). */
  holder:
    | { type: "application"; id: string; name: string; diditApplicationId: string }
    | { type: "partner"; id: string | null; name: string; diditApplicationId: string | null };
  /** When Didit created it (mirror), or when we first saw it. */
  at: string | null;
  /** Hops from the session asked about: negative upstream, positive downstream, 0 itself. */
  depth: number;
  /** This node stands for several (a large fan-out collapsed): how many, and the first few ids. */
  group?: {
    count: number;
    sample: string[];
    /** A very large group: `count` is a lower bound (the largest of its share, import and mirror counts). */
    estimated?: boolean;
  };
  /** The console page for it, when there is one (`/sessions/{id}`, `/reviews/{importId}`). */
  href: string | null;
  deleted: boolean;
  /**
   * Not a session we know the id of: a share the partner has not imported yet (or rejected). Says
   * which, for people. Tokens in our inbox are drawn only once Didit accepted them (imported).
   */
  placeholder?: string;
  /** A partner's session: its number, status and creation time are what the partner's manifest claims. */
  claimed?: boolean;
};

export type LineageAuditEventDto = {
  seq: number;
  id: string;
  action: string;
  actorLabel: string;
  occurredAt: string;
  hash: string;
  /** The event for people: "Olu Officer imported the token", the users by name (email on hover). */
  sentence: Sentence;
};

/** A recall on a step: the source changed after it was shared (Declined, deleted, expired…). */
export type LineageRecallDto = {
  /** sent: we recalled our share; received: the partner recalled what we imported. */
  side: "sent" | "received";
  /** recalls.id (sent) or inbound_recalls.id (received). */
  id: string | null;
  trigger: string | null;
  reason: string | null;
  recalledAt: string;
  /** Received: an officer decided on the import again since. */
  cleared?: boolean;
  /** Sent: how each partner was told (push, internal, task) and where that stands. */
  notices?: { channel: string; state: string }[];
};

export type LineageEdgeDto = {
  id: string;
  /** Source session → its clone (or the share's target, while no clone is known yet). */
  from: string;
  to: string;
  /**
   * share: we minted a token of `from` for a partner; import: a clone made in one of our applications
   * (Didit accepted the token: tokens in our inbox are unverified until then, and never drawn);
   * observed: Didit's `shared_from_session`
   * on a mirror row with no record of ours for the step; group: the children collapsed into a group.
   */
  kind: "share" | "import" | "observed" | "group";
  /** Our record of the step. */
  record:
    | {
        type: "share";
        shareId: string;
        partnerId: string;
        partnerName: string;
        channel: string;
        state: string;
        createdAt: string;
        deliveredAt: string | null;
        receiptStatus: string | null;
        receiptCloneSessionId: string | null;
        recall: LineageRecallDto | null;
      }
    | {
        type: "import";
        importId: string;
        partnerId: string;
        partnerName: string;
        state: string;
        trustReview: boolean;
        importedAt: string | null;
        senderShareId: string | null;
        recall: LineageRecallDto | null;
      }
    | { type: "observed"; source: "mirror" | "decision" }
    | { type: "group"; count: number };
  at: string | null;
  auditEvents: LineageAuditEventDto[];
};

export type LineageGraphDto = {
  /** The session asked about (resolved from a uuid or a mirror row's session number). */
  root: string;
  nodes: LineageNodeDto[];
  edges: LineageEdgeDto[];
  /** Every step's time, oldest first: the timeline beside the graph. */
  timeline: {
    at: string;
    edgeId: string | null;
    nodeId: string | null;
    summary: string;
    /** The summary with its people as parts (an audit event's); absent for a plain step. */
    sentence?: Sentence;
    /** The audit action behind the entry, for auditors (shown small, the key the audit filter takes). */
    action?: string;
  }[];
  /** The walk stopped (hop limit, or a group collapsed): said, not hidden. */
  truncated: boolean;
  /** Every recall on the graph's steps, newest first (also on their edges' records). */
  recalls: (LineageRecallDto & { edgeId: string })[];
};

/**
 * `GET /api/lineage?q=` (the page's search box): sessions matching a uuid, a number, a vendor_data
 * or (for a role that may read names) a name, folded as the session picker folds it.
 */
export type LineageMatchDto = {
  subject?: SessionSubjectDto;
  sessionId: string;
  sessionNumber: number | null;
  status: string | null;
  vendorData: string | null;
  holderName: string;
};
export type LineageSearchResponse = { matches: LineageMatchDto[] };
