import "server-only";
import { createHash } from "node:crypto";
import { zipSync } from "fflate";
import type { LineageGraphDto } from "@/lib/schemas/lineage";
import {
  agreements,
  chain,
  decisionRecord,
  deliveryRecord,
  importRecord,
  inboxRecord,
  receiptRecord,
  recallRecords,
  shareRecord,
} from "./evidence-allow-lists";
import type { Records } from "./evidence-records";
import { auditCsv, type PackAuditEvent } from "./evidence-verify";

/** The files of an evidence pack, their bytes, the manifest that lists them and the ZIP around them. */

export const EVIDENCE_PACK_FORMAT = "handoff-evidence-pack/v1";

/** The files every pack holds besides the manifest, its signature and the public key, in order. */
export const EVIDENCE_FILES = [
  "README.txt",
  "lineage.json",
  "records/shares.json",
  "records/deliveries.json",
  "records/receipts.json",
  "records/imports.json",
  "records/decisions.json",
  "records/inbox-items.json",
  "records/agreements.json",
  "records/recalls.json",
  "audit/events.jsonl",
  "audit/events.csv",
  "audit/chain.json",
] as const;

export type EvidenceManifest = {
  format: typeof EVIDENCE_PACK_FORMAT;
  sessionId: string;
  exportId: string;
  exportedAt: string;
  exportedBy: { id: string; label: string };
  key: { algorithm: "ed25519"; fingerprint: string };
  files: { path: string; size: number; sha256: string }[];
};

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function readme(sessionId: string, exportedAt: string, fingerprint: string): string {
  return `Handoff evidence pack
=====================

Session:      ${sessionId}
Exported at:  ${exportedAt}
Signing key:  Ed25519, fingerprint (SHA-256 of the raw 32-byte public key) ${fingerprint}

Files
-----
README.txt                 this file
lineage.json               the lineage graph around the session: upstream sources, our shares
                           of it and of its clones, deliveries, receipts, imports (as the console
                           draws it at /lineage/${sessionId})
records/shares.json        every share of a session in the lineage (token hash and decoded
                           claims only: never the token)
records/deliveries.json    every delivery attempt of those shares
records/receipts.json      the partners' receipts for those shares (with their clone ids)
records/imports.json       every import whose source or clone is in the lineage
records/decisions.json     the review decisions on those imports (four eyes included)
records/inbox-items.json   the received tokens behind those imports (hash and claims only):
                           \`claims\` are what the token says and \`manifest\` what the sender
                           says it carries; \`verification\` tells whether Didit confirmed the
                           token (it accepted the import) or it is our own share's token
records/agreements.json    the partner agreement at each step: a share's snapshot taken when it
                           was created; for an import, the partner's record at export time
audit/events.jsonl         the audit events of those steps, one JSON object per line, with every
                           hashed field, prevHash and hash
audit/events.csv           the same events as CSV (data as canonical JSON)
audit/chain.json           each event's position in the audit chain and the chain head at export
manifest.json              every file above with its size and SHA-256, the session, the export
                           time and the key fingerprint
manifest.sig               the Ed25519 signature of the exact bytes of manifest.json, base64
public-key.pem             the public key (SPKI PEM); compare its fingerprint with the one the
                           Handoff console shows, or with GET /api/evidence/public-key

Verify with Handoff's verifier (no database, no network)
---------------------------------------------------------
  npm run evidence:verify <this file>.zip
  npm run evidence:verify <this file>.zip -- --fingerprint ${fingerprint}
  npm run evidence:verify <this file>.zip -- --public-key key-from-the-instance.pem

Verify with openssl and coreutils
---------------------------------
  unzip <this file>.zip -d pack && cd pack
  base64 -d manifest.sig > manifest.sig.bin
  openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in manifest.json -sigfile manifest.sig.bin
  # fingerprint of the key:
  openssl pkey -pubin -in public-key.pem -outform DER | tail -c 32 | sha256sum
  # every file against the manifest (python3 or jq to list it):
  jq -r '.files[] | "\\(.sha256)  \\(.path)"' manifest.json | sha256sum -c

Recomputing an audit event's hash: SHA-256 of prevHash, "\\n", and the canonical JSON (keys sorted
by code point, no whitespace) of {action, actorId, actorLabel, data, entityId, entityType, id, ip,
occurredAt, requestId, userAgent}. See docs/evidence.md.
`;
}

const enc = (text: string) => new TextEncoder().encode(text);
const json = (value: unknown) => enc(`${JSON.stringify(value, null, 2)}\n`);

export type PackFiles = Record<(typeof EVIDENCE_FILES)[number], Uint8Array>;

/** Every file of the pack but the manifest, its signature and the public key. */
export function packFiles(
  graph: LineageGraphDto,
  records: Records,
  events: PackAuditEvent[],
  meta: { exportedAt: string; fingerprint: string },
): PackFiles {
  return {
    "README.txt": enc(readme(graph.root, meta.exportedAt, meta.fingerprint)),
    "lineage.json": json(graph),
    "records/shares.json": json(records.shares.map(shareRecord)),
    "records/deliveries.json": json(records.deliveries.map(deliveryRecord)),
    "records/receipts.json": json(records.receipts.map(receiptRecord)),
    "records/imports.json": json(records.imports.map(importRecord)),
    "records/decisions.json": json(records.decisions.map(decisionRecord)),
    "records/inbox-items.json": json(records.inbox.map(inboxRecord)),
    "records/agreements.json": json(agreements(records)),
    "records/recalls.json": json(recallRecords(records)),
    "audit/events.jsonl": enc(events.map((e) => `${JSON.stringify(e)}\n`).join("")),
    "audit/events.csv": enc(auditCsv(events)),
    "audit/chain.json": json(chain(events, records.head)),
  };
}

/** The manifest's exact bytes: every file with its size and SHA-256 (what the signature covers). */
export function manifestBytes(
  content: PackFiles,
  manifest: Omit<EvidenceManifest, "format" | "files">,
): Uint8Array {
  const full: EvidenceManifest = {
    format: EVIDENCE_PACK_FORMAT,
    ...manifest,
    files: EVIDENCE_FILES.map((path) => ({
      path,
      size: content[path].length,
      sha256: sha256(content[path]),
    })),
  };
  return json(full);
}

/** The ZIP: the files in order, then the manifest, its signature and the public key. */
export function zipPack(
  content: PackFiles,
  signed: { manifest: Uint8Array; signature: Buffer; publicKeyPem: string },
  mtime: Date,
): { bytes: Uint8Array<ArrayBuffer>; files: number } {
  const entries: Record<string, [Uint8Array, { mtime: Date; level: 6 }]> = {};
  for (const path of EVIDENCE_FILES) entries[path] = [content[path], { mtime, level: 6 }];
  entries["manifest.json"] = [signed.manifest, { mtime, level: 6 }];
  entries["manifest.sig"] = [enc(`${signed.signature.toString("base64")}\n`), { mtime, level: 6 }];
  entries["public-key.pem"] = [enc(signed.publicKeyPem), { mtime, level: 6 }];
  return { bytes: zipSync(entries), files: Object.keys(entries).length };
}
