import "server-only";
import { GENESIS_HASH } from "@/lib/server/services/audit";
import type { PackAuditEvent } from "./evidence-verify";
import type { Records } from "./evidence-records";

/**
 * What each record of an evidence pack carries. Explicit allow-lists: a column added to a table
 * later stays out of the pack until listed here (token hashes and claims, never a token, a sealed
 * envelope or any other secret column).
 */

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function shareRecord(s: Records["shares"][number]) {
  return {
    id: s.id,
    applicationId: s.applicationId,
    partnerId: s.partnerId,
    sessionId: s.sessionId,
    sessionKind: s.sessionKind,
    sessionNumber: s.sessionNumber,
    sourceStatus: s.sourceStatus,
    forApplicationId: s.forApplicationId,
    ttlSeconds: s.ttlSeconds,
    tokenHash: s.tokenHash,
    claims: s.claims,
    issuedAt: iso(s.issuedAt),
    expiresAt: iso(s.expiresAt),
    channel: s.channel,
    state: s.state,
    attempts: s.attempts,
    lastError: s.lastError,
    deliveredAt: iso(s.deliveredAt),
    revokedAt: iso(s.revokedAt),
    revokedBy: s.revokedBy,
    revokeReason: s.revokeReason,
    revealedAt: iso(s.revealedAt),
    revealedBy: s.revealedBy,
    manifest: s.manifest,
    receiptStatus: s.receiptStatus,
    receiptCloneSessionId: s.receiptCloneSessionId,
    receiptReason: s.receiptReason,
    receiptAt: iso(s.receiptAt),
    recalledAt: iso(s.recalledAt),
    recallId: s.recallId,
    createdBy: s.createdBy,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
  };
}

export function deliveryRecord(d: Records["deliveries"][number]) {
  return {
    id: d.id,
    shareId: d.shareId,
    attempt: d.attempt,
    channel: d.channel,
    outcome: d.outcome,
    httpStatus: d.httpStatus,
    error: d.error,
    durationMs: d.durationMs,
    startedAt: iso(d.startedAt),
    finishedAt: iso(d.finishedAt),
  };
}

export function receiptRecord(r: Records["receipts"][number]) {
  return {
    id: r.id,
    shareId: r.shareId,
    partnerId: r.partnerId,
    status: r.status,
    cloneSessionId: r.cloneSessionId,
    reason: r.reason,
    messageId: r.messageId,
    receivedAt: iso(r.receivedAt),
  };
}

export function importRecord(i: Records["imports"][number]) {
  return {
    id: i.id,
    inboxItemId: i.inboxItemId,
    applicationId: i.applicationId,
    partnerId: i.partnerId,
    senderShareId: i.senderShareId,
    sourceSessionId: i.sourceSessionId,
    sessionKind: i.sessionKind,
    cloneSessionId: i.cloneSessionId,
    cloneSessionNumber: i.cloneSessionNumber,
    sharedFromSession: i.sharedFromSession,
    trustReview: i.trustReview,
    workflowId: i.workflowId,
    vendorData: i.vendorData,
    statusAtImport: i.statusAtImport,
    state: i.state,
    failureCode: i.failureCode,
    failureReason: i.failureReason,
    retryable: i.retryable,
    attempts: i.attempts,
    importedBy: i.importedBy,
    importedByPolicy: i.importedByPolicy,
    reconciledAt: iso(i.reconciledAt),
    status: i.status,
    statusUpdatedAt: iso(i.statusUpdatedAt),
    assignedTo: i.assignedTo,
    assignedAt: iso(i.assignedAt),
    recalledAt: iso(i.recalledAt),
    recallTrigger: i.recallTrigger,
    recallReason: i.recallReason,
    inboundRecallId: i.inboundRecallId,
    recallClearedAt: iso(i.recallClearedAt),
    recallClearedBy: i.recallClearedBy,
    startedAt: iso(i.startedAt),
    finishedAt: iso(i.finishedAt),
    createdAt: iso(i.createdAt),
    updatedAt: iso(i.updatedAt),
  };
}

/** Recalls we raised (with how each partner was told) and those partners sent us. */
export function recallRecords(r: Records) {
  return {
    sent: r.recallsSent.map((x) => ({
      id: x.id,
      applicationId: x.applicationId,
      sessionId: x.sessionId,
      trigger: x.trigger,
      fromStatus: x.fromStatus,
      toStatus: x.toStatus,
      reason: x.reason,
      source: x.source,
      raisedBy: x.raisedBy,
      shareCount: x.shareCount,
      noticeCount: x.noticeCount,
      raisedAt: iso(x.raisedAt),
    })),
    notices: r.notices.map((n) => ({
      id: n.id,
      recallId: n.recallId,
      shareId: n.shareId,
      partnerId: n.partnerId,
      channel: n.channel,
      state: n.state,
      attempts: n.attempts,
      lastError: n.lastError,
      httpStatus: n.httpStatus,
      sentAt: iso(n.sentAt),
      doneBy: n.doneBy,
      doneAt: iso(n.doneAt),
      doneNote: n.doneNote,
      createdAt: iso(n.createdAt),
      updatedAt: iso(n.updatedAt),
    })),
    received: r.recallsReceived.map((x) => ({
      id: x.id,
      partnerId: x.partnerId,
      remoteRecallId: x.remoteRecallId,
      senderShareId: x.senderShareId,
      sourceSessionId: x.sourceSessionId,
      trigger: x.trigger,
      sourceStatus: x.sourceStatus,
      reason: x.reason,
      messageId: x.messageId,
      internal: x.internal,
      importCount: x.importCount,
      recalledAt: iso(x.recalledAt),
      receivedAt: iso(x.receivedAt),
    })),
  };
}

export function decisionRecord(d: Records["decisions"][number]) {
  return {
    id: d.id,
    importId: d.importId,
    status: d.status,
    comment: d.comment,
    state: d.state,
    decidedBy: d.decidedBy,
    decidedAt: iso(d.decidedAt),
    secondBy: d.secondBy,
    secondAt: iso(d.secondAt),
    secondComment: d.secondComment,
    sentAt: iso(d.sentAt),
    confirmedAt: iso(d.confirmedAt),
    failureCode: d.failureCode,
    failureReason: d.failureReason,
    createdAt: iso(d.createdAt),
    updatedAt: iso(d.updatedAt),
  };
}

export function inboxRecord(i: Records["inbox"][number]) {
  return {
    id: i.id,
    applicationId: i.applicationId,
    partnerId: i.partnerId,
    source: i.source,
    senderShareId: i.senderShareId,
    localShareId: i.localShareId,
    tokenHash: i.tokenHash,
    // Claims: the token's (confirmed only once Didit accepted it on import) and the sender's manifest.
    claims: i.claims,
    manifest: i.manifest,
    verification:
      i.state === "invalid"
        ? "invalid"
        : i.state === "imported" || i.localShareId
          ? "verified"
          : "unverified",
    verifiedBy:
      i.state === "imported" ? "import" : i.localShareId && i.state !== "invalid" ? "own_share" : null,
    sessionKind: i.sessionKind,
    sourceSessionId: i.sourceSessionId,
    fromApplicationId: i.fromApplicationId,
    expiresAt: iso(i.expiresAt),
    state: i.state,
    stateReason: i.stateReason,
    receivedBy: i.receivedBy,
    receivedAt: iso(i.receivedAt),
    updatedAt: iso(i.updatedAt),
  };
}

function partnerAgreementNow(p: Records["partners"] extends Map<string, infer P> ? P : never) {
  return {
    partnerId: p.id,
    partnerName: p.name,
    diditApplicationId: p.diditApplicationId,
    reference: p.agreementReference,
    signedOn: p.agreementSignedOn,
    expiresOn: p.agreementExpiresOn,
    partnerStatus: p.status,
    direction: p.direction,
    importMode: p.importMode,
    trustReview: p.trustReview,
    requireFourEyes: p.requireFourEyes,
    reviewSlaHours: p.reviewSlaHours,
    allowedKinds: p.allowedKinds,
    allowedStatuses: p.allowedStatuses,
  };
}

export function agreements(r: Records) {
  const fromShares = r.shares.map((s) => ({
    step: "share" as const,
    shareId: s.id,
    partnerId: s.partnerId,
    partnerName: r.partners.get(s.partnerId)?.name ?? null,
    asOf: iso(s.createdAt),
    source: "snapshot" as const,
    note: "The agreement as recorded on the share when it was created.",
    agreement: s.agreement,
  }));
  const fromImports = r.imports.map((i) => {
    const p = r.partners.get(i.partnerId);
    return {
      step: "import" as const,
      importId: i.id,
      partnerId: i.partnerId,
      partnerName: p?.name ?? null,
      asOf: null,
      source: "partner_now" as const,
      note: "Imports keep no snapshot of the agreement: this is the partner's record at export time, not necessarily as it stood at the import.",
      agreement: p ? partnerAgreementNow(p) : null,
    };
  });
  return [...fromShares, ...fromImports];
}

export function auditEvent(e: Records["events"][number]): PackAuditEvent {
  return {
    seq: e.seq,
    id: e.id,
    occurredAt: e.occurredAt.toISOString(),
    actorId: e.actorId,
    actorLabel: e.actorLabel,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    requestId: e.requestId,
    ip: e.ip,
    userAgent: e.userAgent,
    data: e.data,
    prevHash: e.prevHash,
    hash: e.hash,
  };
}

export function chain(events: PackAuditEvent[], head: Records["head"]) {
  const bySeq = new Map(events.map((e) => [e.seq, e]));
  return {
    genesisHash: GENESIS_HASH,
    note: "Each event's hash is SHA-256 over its prev_hash, a newline, and the canonical JSON of its fields (keys sorted, no whitespace). The slice is not contiguous: where two events are adjacent in the chain (seq n and n+1), the later one's prevHash is the earlier one's hash.",
    head: head ? { seq: head.seq, hash: head.hash } : { seq: 0, hash: GENESIS_HASH },
    events: events.map((e) => ({
      seq: e.seq,
      id: e.id,
      prevHash: e.prevHash,
      hash: e.hash,
      /** The event before it in the chain is in this pack too (its hash must equal this prevHash). */
      previousInPack: bySeq.has(e.seq - 1),
    })),
  };
}
