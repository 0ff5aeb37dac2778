import "server-only";
import { randomUUID } from "node:crypto";
import { evidenceExports } from "@/lib/server/db/schema";
import { auditMeta, recordAudit } from "@/lib/server/services/audit";
import { type ServiceContext, assertCan } from "@/lib/server/kernel";
import { getLineage } from "@/lib/server/services/lineage";
import { manifestBytes, packFiles, sha256, zipPack } from "./evidence-files";
import { collectRecords } from "./evidence-records";
import { type PackAuditEvent } from "./evidence-verify";
import { auditEvent } from "./evidence-allow-lists";
import { getEvidencePublicKey, signWithEvidenceKey } from "./signing-keys";

/**
 * The evidence pack (`GET /api/evidence/{sessionId}`, auditors): one ZIP a regulator checks with
 * no access to Handoff (`npm run evidence:verify`, or openssl; docs/evidence.md). It holds the
 * lineage graph, every record of the session's lineage (shares of it and of its clones, their
 * deliveries and receipts, imports whose source or clone is in it, their decisions, the inbox
 * items), the partner agreements, the audit events of those steps with their hashes and chain
 * positions (as JSON Lines and CSV), and a manifest of every file's size and SHA-256 signed with
 * the instance's Ed25519 key. Records are written through an explicit allow-list of columns per
 * table: token hashes and claims, never a token, a sealed envelope or any other secret column.
 * The export is recorded (`evidence_exports`) and audited (`evidence.exported`) in one transaction.
 */

/** One audit event as the pack carries it: every field `hashAuditRow` hashes, and its links. */
export type EvidenceAuditEvent = PackAuditEvent;

export type EvidencePack = {
  exportId: string;
  filename: string;
  bytes: Uint8Array<ArrayBuffer>;
  archiveSha256: string;
  manifestSha256: string;
  fingerprint: string;
  files: number;
};

/** The session a pack would be about (permission checked, 404 for one the lineage does not know). */
export async function evidencePackTarget(ctx: ServiceContext, sessionRef: string): Promise<string> {
  assertCan(ctx, "evidence.export");
  return (await getLineage(ctx, sessionRef)).root;
}

/**
 * Builds, signs and records the evidence pack of one session (a Didit session uuid, or a mirror
 * row's number, as the lineage takes it). 404 for a session the lineage does not know.
 */
export async function exportEvidencePack(ctx: ServiceContext, sessionRef: string): Promise<EvidencePack> {
  assertCan(ctx, "evidence.export");
  const graph = await getLineage(ctx, sessionRef);
  const sessionId = graph.root;
  const records = await collectRecords(ctx.db, graph);
  const now = new Date(Math.floor(ctx.now().getTime() / 1000) * 1000);
  const exportedAt = now.toISOString();
  const exportId = randomUUID();
  const events = records.events.map(auditEvent);

  const key = await getEvidencePublicKey(ctx);
  const content = packFiles(graph, records, events, { exportedAt, fingerprint: key.fingerprint });
  const manifest = manifestBytes(content, {
    sessionId,
    exportId,
    exportedAt,
    exportedBy: { id: ctx.actor!.id, label: ctx.actor!.email },
    key: { algorithm: "ed25519", fingerprint: key.fingerprint },
  });
  const signed = await signWithEvidenceKey(ctx, manifest);
  if (signed.key.fingerprint !== key.fingerprint)
    throw new Error("the evidence signing key changed during the export");

  const { bytes, files } = zipPack(
    content,
    { manifest, signature: signed.signature, publicKeyPem: key.publicKeyPem },
    now,
  );
  const pack: EvidencePack = {
    exportId,
    filename: `handoff-evidence-${sessionId}-${exportedAt.slice(0, 10)}.zip`,
    bytes,
    archiveSha256: sha256(bytes),
    manifestSha256: sha256(manifest),
    fingerprint: key.fingerprint,
    files,
  };
  await recordExport(ctx, sessionId, pack, events.length);
  return pack;
}

/** The export's row and its audit event, in one transaction. */
async function recordExport(
  ctx: ServiceContext,
  sessionId: string,
  pack: EvidencePack,
  events: number,
): Promise<void> {
  const { exportId, archiveSha256, manifestSha256, files } = pack;
  await ctx.db.transaction(async (tx) => {
    await tx.insert(evidenceExports).values({
      id: exportId,
      sessionId,
      requestedBy: ctx.actor!.id,
      archiveSha256,
      manifestSha256,
      keyFingerprint: pack.fingerprint,
      files,
      sizeBytes: pack.bytes.length,
      createdAt: ctx.now(),
    });
    await recordAudit(tx, auditMeta(ctx), {
      action: "evidence.exported",
      entityType: "evidence_export",
      entityId: exportId,
      data: {
        sessionId,
        archiveSha256,
        manifestSha256,
        keyFingerprint: pack.fingerprint,
        files,
        sizeBytes: pack.bytes.length,
        events,
      },
    });
  });
}
