import "server-only";
import { createHash, createPublicKey, verify, type KeyObject } from "node:crypto";
import { unzipSync } from "fflate";
// The pack's CSV has the audit export's columns: one list, in the audit domain.
import { AUDIT_EXPORT_COLUMNS, hashAuditRow } from "@/lib/server/services/audit";

/**
 * Offline verification of an evidence pack (`npm run evidence:verify`): no database, no network.
 * The manifest's Ed25519 signature under the included public key (or one given, or the included
 * one pinned by its fingerprint), every file's size and SHA-256 against the manifest (each altered,
 * missing or extra file named), each audit event's hash recomputed from its fields and prev_hash,
 * the links between adjacent events, the chain positions, and the CSV against the JSON Lines.
 */

export type EvidenceProblem = { file: string; message: string };
export type EvidenceVerification = {
  ok: boolean;
  sessionId: string | null;
  fingerprint: string | null;
  files: number;
  events: number;
  problems: EvidenceProblem[];
};

/** The audit event as the pack carries it (see evidence.ts). */
export type PackAuditEvent = {
  seq: number;
  id: string;
  occurredAt: string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  entityType: string | null;
  entityId: string | null;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
};

const SIGNED_FILES = new Set(["manifest.json", "manifest.sig", "public-key.pem"]);

function csvCell(value: unknown): string {
  const text =
    value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
  // A leading =, +, - or @ would be a formula in a spreadsheet: prefixed with an apostrophe.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n']/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The audit slice as CSV (RFC 4180, CRLF, `data` as JSON): written by the export, re-derived by the verifier. */
export function auditCsv(events: PackAuditEvent[]): string {
  const lines = [AUDIT_EXPORT_COLUMNS.join(",")];
  for (const e of events) {
    lines.push(
      [
        e.seq,
        e.id,
        e.occurredAt,
        e.actorId,
        e.actorLabel,
        e.action,
        e.entityType,
        e.entityId,
        e.requestId,
        e.ip,
        e.userAgent,
        e.data,
        e.prevHash,
        e.hash,
      ]
        .map(csvCell)
        .join(","),
    );
  }
  return `${lines.join("\r\n")}\r\n`;
}

/** SHA-256 hex of the raw 32-byte Ed25519 public key (the last 32 bytes of its SPKI DER). */
export function ed25519Fingerprint(publicKey: string | KeyObject): string {
  const key = typeof publicKey === "string" ? createPublicKey(publicKey) : publicKey;
  const der = key.export({ format: "der", type: "spki" });
  return createHash("sha256")
    .update(der.subarray(der.length - 32))
    .digest("hex");
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const text = (bytes: Uint8Array) => new TextDecoder("utf-8", { fatal: true }).decode(bytes);

type ManifestFile = { path: string; size: number; sha256: string };

function manifestFiles(manifest: unknown): ManifestFile[] | null {
  if (typeof manifest !== "object" || manifest === null) return null;
  const files = (manifest as { files?: unknown }).files;
  if (!Array.isArray(files)) return null;
  const ok = files.every(
    (f: unknown) =>
      typeof f === "object" &&
      f !== null &&
      typeof (f as ManifestFile).path === "string" &&
      typeof (f as ManifestFile).size === "number" &&
      typeof (f as ManifestFile).sha256 === "string",
  );
  return ok ? (files as ManifestFile[]) : null;
}

function checkAudit(files: Record<string, Uint8Array>, problems: EvidenceProblem[]): number {
  const jsonl = files["audit/events.jsonl"];
  if (!jsonl) return 0;
  const events: PackAuditEvent[] = [];
  let lines: string[];
  try {
    lines = text(jsonl).split("\n");
  } catch {
    problems.push({ file: "audit/events.jsonl", message: "is not UTF-8 text" });
    return 0;
  }
  lines.forEach((line, i) => {
    if (line === "") return;
    try {
      events.push(JSON.parse(line) as PackAuditEvent);
    } catch {
      problems.push({ file: "audit/events.jsonl", message: `line ${i + 1} is not JSON` });
    }
  });
  const bySeq = new Map<number, PackAuditEvent>();
  for (const e of events) {
    let expected: string;
    try {
      expected = hashAuditRow(e.prevHash, { ...e, occurredAt: new Date(e.occurredAt) });
    } catch {
      problems.push({ file: "audit/events.jsonl", message: `event seq ${e.seq} (id ${e.id}) is malformed` });
      continue;
    }
    if (expected !== e.hash)
      problems.push({
        file: "audit/events.jsonl",
        message: `event seq ${e.seq} (id ${e.id}): its fields no longer match its hash (recomputed ${expected}, recorded ${e.hash})`,
      });
    bySeq.set(e.seq, e);
  }
  for (const e of events) {
    const before = bySeq.get(e.seq - 1);
    if (before && before.hash !== e.prevHash)
      problems.push({
        file: "audit/events.jsonl",
        message: `event seq ${e.seq} (id ${e.id}): its prevHash is not the hash of event seq ${before.seq} before it`,
      });
  }
  const csv = files["audit/events.csv"];
  if (csv && Buffer.compare(Buffer.from(csv), Buffer.from(auditCsv(events), "utf8")) !== 0)
    problems.push({
      file: "audit/events.csv",
      message: "does not hold the same events as audit/events.jsonl",
    });
  const chainBytes = files["audit/chain.json"];
  if (chainBytes) checkChain(chainBytes, events, bySeq, problems);
  return events.length;
}

/** audit/chain.json: the same events at the same chain positions, and a head no older than the last. */
function checkChain(
  chainBytes: Uint8Array,
  events: PackAuditEvent[],
  bySeq: ReadonlyMap<number, PackAuditEvent>,
  problems: EvidenceProblem[],
): void {
  try {
    const chain = JSON.parse(text(chainBytes)) as {
      events?: { seq: number; id: string; prevHash: string; hash: string }[];
      head?: { seq: number; hash: string };
    };
    const positions = chain.events ?? [];
    if (positions.length !== events.length)
      problems.push({
        file: "audit/chain.json",
        message: "does not list the same events as audit/events.jsonl",
      });
    for (const p of positions) {
      const e = bySeq.get(p.seq);
      if (!e || e.id !== p.id || e.hash !== p.hash || e.prevHash !== p.prevHash)
        problems.push({
          file: "audit/chain.json",
          message: `the chain position of seq ${p.seq} does not match audit/events.jsonl`,
        });
    }
    const last = events[events.length - 1];
    if (last && chain.head && chain.head.seq < last.seq)
      problems.push({
        file: "audit/chain.json",
        message: "its chain head is older than the events it lists",
      });
  } catch {
    problems.push({ file: "audit/chain.json", message: "is not JSON" });
  }
}

/**
 * Checks an evidence pack. `publicKeyPem`: verify with this key instead of the included one;
 * `fingerprint`: the included key must have this fingerprint.
 */
export function verifyEvidencePack(
  archive: Uint8Array,
  options: { publicKeyPem?: string; fingerprint?: string } = {},
): EvidenceVerification {
  const problems: EvidenceProblem[] = [];
  const result = (extra: Partial<EvidenceVerification> = {}): EvidenceVerification => ({
    ok: problems.length === 0,
    sessionId: null,
    fingerprint: null,
    files: 0,
    events: 0,
    problems,
    ...extra,
  });
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(archive);
  } catch {
    problems.push({ file: "(archive)", message: "is not a readable ZIP archive" });
    return result();
  }
  for (const name of SIGNED_FILES)
    if (!files[name]) problems.push({ file: name, message: "is missing from the archive" });
  if (problems.length) return result();

  let key: KeyObject;
  try {
    key = createPublicKey(options.publicKeyPem ?? text(files["public-key.pem"]!));
    if (key.asymmetricKeyType !== "ed25519") throw new Error("not ed25519");
  } catch {
    problems.push({
      file: options.publicKeyPem ? "(given public key)" : "public-key.pem",
      message: "is not an Ed25519 public key",
    });
    return result();
  }
  const fingerprint = ed25519Fingerprint(key);
  if (options.fingerprint && options.fingerprint.toLowerCase() !== fingerprint)
    problems.push({
      file: "public-key.pem",
      message: `its fingerprint is ${fingerprint}, not the expected ${options.fingerprint.toLowerCase()}`,
    });

  const manifestBytes = files["manifest.json"]!;
  checkSignature(manifestBytes, files["manifest.sig"]!, key, problems);

  let manifest: unknown;
  try {
    manifest = JSON.parse(text(manifestBytes));
  } catch {
    problems.push({ file: "manifest.json", message: "is not JSON" });
    return result({ fingerprint });
  }
  const listed = manifestFiles(manifest);
  if (!listed) {
    problems.push({ file: "manifest.json", message: "does not list the files with their sizes and SHA-256" });
    return result({ fingerprint });
  }
  checkListedFiles(files, listed, problems);

  const events = checkAudit(files, problems);
  const sessionId = (manifest as { sessionId?: unknown }).sessionId;
  return result({
    sessionId: typeof sessionId === "string" ? sessionId : null,
    fingerprint,
    files: listed.length,
    events,
  });
}

/** manifest.sig: the Ed25519 signature of the exact bytes of manifest.json. */
function checkSignature(
  manifestBytes: Uint8Array,
  signatureFile: Uint8Array,
  key: KeyObject,
  problems: EvidenceProblem[],
): void {
  let signatureOk = false;
  try {
    const signature = Buffer.from(text(signatureFile).trim(), "base64");
    signatureOk = signature.length === 64 && verify(null, manifestBytes, key, signature);
  } catch {
    signatureOk = false;
  }
  if (!signatureOk)
    problems.push({
      file: "manifest.sig",
      message:
        "the signature of manifest.json does not verify with this public key (manifest.json altered, or another key)",
    });
}

/** Each listed file present with its size and SHA-256; no file in the archive the manifest omits. */
function checkListedFiles(
  files: Record<string, Uint8Array>,
  listed: { path: string; size: number; sha256: string }[],
  problems: EvidenceProblem[],
): void {
  for (const f of listed) {
    const bytes = files[f.path];
    if (!bytes) {
      problems.push({ file: f.path, message: "is listed in the manifest but missing from the archive" });
      continue;
    }
    if (bytes.length !== f.size || sha256(bytes) !== f.sha256)
      problems.push({
        file: f.path,
        message: `was altered: ${bytes.length} bytes with SHA-256 ${sha256(bytes)}, the manifest says ${f.size} bytes with ${f.sha256}`,
      });
  }
  const names = new Set(listed.map((f) => f.path));
  for (const name of Object.keys(files))
    if (!names.has(name) && !SIGNED_FILES.has(name) && !name.endsWith("/"))
      problems.push({ file: name, message: "is in the archive but not in the manifest" });
}

/** The report the command prints. */
export function formatEvidenceReport(v: EvidenceVerification): string {
  const lines: string[] = [];
  if (v.ok) {
    lines.push(
      `Evidence pack VERIFIED: session ${v.sessionId}, ${v.files} files match the signed manifest, ${v.events} audit events recompute to their hashes.`,
      `Signed by the Ed25519 key with fingerprint ${v.fingerprint}: compare it with the one the Handoff console shows.`,
    );
  } else {
    lines.push(
      `Evidence pack FAILED verification (${v.problems.length} problem${v.problems.length === 1 ? "" : "s"}):`,
    );
    for (const p of v.problems) lines.push(`  ${p.file}: ${p.message}`);
  }
  return lines.join("\n");
}
