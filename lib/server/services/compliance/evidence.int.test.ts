import { spawnSync } from "node:child_process";
import { createPublicKey, generateKeyPairSync, verify } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { strFromU8, strToU8, unzipSync, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as packRoute from "@/app/api/evidence/[sessionId]/route";
import * as keyRoute from "@/app/api/evidence/public-key/route";
import { open } from "@/lib/server/crypto/envelope";
import {
  auditEvents,
  connectedApplications,
  evidenceExports,
  inboxItems,
  partnerSecrets,
  signingKeys,
} from "@/lib/server/db/schema";
import { hashAuditRow } from "@/lib/server/services/audit/audit";
import { exportEvidencePack } from "./evidence";
import { verifyEvidencePack, type PackAuditEvent } from "./evidence-verify";
import { createImport } from "@/lib/server/services/receiving/import";
import { decideImport } from "@/lib/server/services/reviews";
import { reviewWorld, type ReviewWorld } from "@/lib/server/services/reviews/reviews.test-kit";
import { createShare } from "@/lib/server/services/sharing";
import { addPartner, connectApp } from "@/lib/server/services/sharing/shares.test-kit";
import { testDriver } from "@/test/database";
import { insertUser, request, type TestUser } from "@/test/session";

/**
 * The evidence pack of a session Northwind Bank shared to its sister brand (internal channel),
 * which the sister imported and an officer approved: what it holds, what it never holds, and the
 * offline verifier (the function, the command, and openssl) catching every alteration by file.
 */

let x: ReviewWorld;
let auditor: TestUser;
let sessionId: string;
let token: string;
let importId: string;
let pack: Uint8Array;
const secrets: string[] = [];

beforeAll(async () => {
  x = await reviewWorld();
  auditor = await insertUser(x.w.t.db, "auditor");
  const db = x.w.t.db;
  const sister = await x.w.newSandboxApp("Northwind Pay");
  const sisterRow = await connectApp(db, sister, "Northwind Pay");
  await db
    .update(connectedApplications)
    .set({ defaultWorkflowUser: sister.workflows.user })
    .where(eq(connectedApplications.id, sisterRow));
  const toSister = await addPartner(db, {
    applicationId: x.w.bankRow,
    diditApplicationId: sister.id,
    channel: "internal",
  });
  const fromBank = await addPartner(db, {
    applicationId: sisterRow,
    diditApplicationId: x.w.bank.id,
    channel: "internal",
  });
  sessionId = await x.w.newSession();
  const share = await createShare(x.ctxOf(x.officerA), {
    sessionId,
    partnerId: toSister.id,
    ttlSeconds: 600,
  });
  const [item] = await db.select().from(inboxItems).where(eq(inboxItems.localShareId, share.id));
  token = open(item!.tokenCiphertext!, item!.id);
  const imported = await createImport(x.ctxOf(x.officerA), item!.id, {});
  expect(imported.state).toBe("imported");
  importId = imported.id;
  await decideImport(x.ctxOf(x.officerA), importId, { status: "Approved", comment: "Documents match" });
  secrets.push(token, x.w.bank.key, sister.key, toSister.secret, fromBank.secret);
  for (const row of await db.select().from(partnerSecrets)) secrets.push(open(row.secretCiphertext, row.id));
  secrets.push(await x.w.webhookSecret(x.w.bankRow));
  pack = (await exportEvidencePack(x.ctxOf(auditor), sessionId)).bytes;
}, 120_000);
afterAll(() => x.close());

function files(bytes: Uint8Array = pack): Record<string, Uint8Array> {
  return unzipSync(bytes);
}
function jsonOf<T>(name: string, bytes: Uint8Array = pack): T {
  return JSON.parse(strFromU8(files(bytes)[name]!)) as T;
}
/** The pack with one file's bytes replaced (the rest, the manifest and the signature kept). */
function repack(change: (f: Record<string, Uint8Array>) => void, bytes: Uint8Array = pack): Uint8Array {
  const f = files(bytes);
  change(f);
  return zipSync(f);
}

describe(`Evidence pack (${testDriver()})`, () => {
  it("holds the lineage, every record of it, the agreements, the audit slice and a signed manifest", () => {
    const f = files();
    expect(Object.keys(f).sort()).toEqual(
      [
        "README.txt",
        "lineage.json",
        "manifest.json",
        "manifest.sig",
        "public-key.pem",
        "audit/chain.json",
        "audit/events.csv",
        "audit/events.jsonl",
        "records/agreements.json",
        "records/decisions.json",
        "records/deliveries.json",
        "records/imports.json",
        "records/inbox-items.json",
        "records/receipts.json",
        "records/recalls.json",
        "records/shares.json",
      ].sort(),
    );
    expect(jsonOf<{ root: string }>("lineage.json").root).toBe(sessionId);
    const shares = jsonOf<{ sessionId: string; tokenHash: string; claims: object }[]>("records/shares.json");
    expect(shares).toHaveLength(1);
    expect(shares[0]!.sessionId).toBe(sessionId);
    expect(shares[0]!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(shares[0]!.claims).length).toBeGreaterThan(0);
    expect(jsonOf<unknown[]>("records/deliveries.json").length).toBeGreaterThan(0);
    expect(jsonOf<{ status: string }[]>("records/receipts.json")).toMatchObject([{ status: "imported" }]);
    expect(jsonOf<{ id: string }[]>("records/imports.json").map((i) => i.id)).toEqual([importId]);
    expect(jsonOf<{ status: string; comment: string }[]>("records/decisions.json")).toMatchObject([
      { status: "Approved", comment: "Documents match" },
    ]);
    expect(jsonOf<{ tokenHash: string }[]>("records/inbox-items.json")).toMatchObject([
      { tokenHash: shares[0]!.tokenHash },
    ]);
    // Nothing recalled in this lineage: the file is there, with its three lists empty.
    expect(jsonOf("records/recalls.json")).toEqual({ sent: [], notices: [], received: [] });
    const agreements =
      jsonOf<{ step: string; source: string; agreement: { reference: string } }[]>("records/agreements.json");
    expect(agreements.map((a) => [a.step, a.source])).toEqual([
      ["share", "snapshot"],
      ["import", "partner_now"],
    ]);
    expect(agreements[0]!.agreement.reference).toBe("DSA-2026-001");

    const events = strFromU8(f["audit/events.jsonl"]!)
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as PackAuditEvent);
    const actions = events.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["share.created", "import.created"]));
    expect(actions.some((a) => a.startsWith("import.decision") || a === "import.decided")).toBe(true);
    for (const e of events)
      expect(hashAuditRow(e.prevHash, { ...e, occurredAt: new Date(e.occurredAt) })).toBe(e.hash);
    const csv = strFromU8(f["audit/events.csv"]!).trim().split("\r\n");
    expect(csv[0]).toBe(
      "seq,id,occurred_at,actor_id,actor_label,action,entity_type,entity_id,request_id,ip,user_agent,data,prev_hash,hash",
    );
    expect(csv).toHaveLength(events.length + 1);
    const chain = jsonOf<{ head: { seq: number }; events: { seq: number }[] }>("audit/chain.json");
    expect(chain.events.map((e) => e.seq)).toEqual(events.map((e) => e.seq));
    expect(chain.head.seq).toBeGreaterThanOrEqual(events[events.length - 1]!.seq);

    const manifest = jsonOf<{ sessionId: string; files: { path: string }[]; key: { fingerprint: string } }>(
      "manifest.json",
    );
    expect(manifest.sessionId).toBe(sessionId);
    expect(manifest.files.map((m) => m.path)).not.toContain("manifest.json");
    expect(manifest.files).toHaveLength(13);
    const sig = Buffer.from(strFromU8(f["manifest.sig"]!).trim(), "base64");
    expect(verify(null, f["manifest.json"]!, createPublicKey(strFromU8(f["public-key.pem"]!)), sig)).toBe(
      true,
    );
  });

  it("never holds a token, an API key, a webhook or partner secret, or a sealed column", () => {
    const f = files();
    const everything = Buffer.concat([
      Buffer.from(pack),
      ...Object.values(f).map((b) => Buffer.from(b)),
    ]).toString("latin1");
    expect(secrets.length).toBeGreaterThan(5);
    for (const secret of secrets) expect(everything).not.toContain(secret);
    for (const word of ["whsec_", "token_ciphertext", "tokenCiphertext", "Ciphertext", "PRIVATE KEY"])
      expect(everything).not.toContain(word);
  });

  it("verifies offline; one flipped byte in any file is named; a wrong key fails the signature", () => {
    expect(verifyEvidencePack(pack)).toMatchObject({ ok: true, sessionId, files: 13, problems: [] });
    const fingerprint = jsonOf<{ key: { fingerprint: string } }>("manifest.json").key.fingerprint;
    expect(verifyEvidencePack(pack, { fingerprint }).ok).toBe(true);
    for (const name of Object.keys(files())) {
      const altered = repack((f) => {
        const copy = new Uint8Array(f[name]!);
        copy[Math.floor(copy.length / 2)]! ^= 0x01;
        f[name] = copy;
      });
      const result = verifyEvidencePack(altered);
      expect(result.ok, name).toBe(false);
      const named = result.problems.map((p) => p.file);
      if (name === "manifest.json" || name === "manifest.sig") expect(named, name).toContain("manifest.sig");
      else if (name === "public-key.pem")
        expect(named.some((n) => n === "public-key.pem" || n === "manifest.sig")).toBe(true);
      else expect(named, name).toContain(name);
    }
    // A file removed, a file added.
    const missing = verifyEvidencePack(repack((f) => delete f["records/shares.json"]));
    expect(missing.problems).toContainEqual(expect.objectContaining({ file: "records/shares.json" }));
    const extra = verifyEvidencePack(repack((f) => (f["records/extra.json"] = strToU8("[]"))));
    expect(extra.problems).toContainEqual({
      file: "records/extra.json",
      message: "is in the archive but not in the manifest",
    });

    const other = generateKeyPairSync("ed25519").publicKey.export({ format: "pem", type: "spki" }).toString();
    const wrongKey = verifyEvidencePack(pack, { publicKeyPem: other });
    expect(wrongKey.ok).toBe(false);
    expect(wrongKey.problems.map((p) => p.file)).toContain("manifest.sig");
    // The included key swapped for another: the signature fails, and a pinned fingerprint says so too.
    const swapped = repack((f) => (f["public-key.pem"] = strToU8(other)));
    const swappedResult = verifyEvidencePack(swapped, { fingerprint });
    expect(swappedResult.problems.map((p) => p.file)).toEqual(
      expect.arrayContaining(["public-key.pem", "manifest.sig"]),
    );
    expect(verifyEvidencePack(strToU8("not a zip")).problems).toEqual([
      { file: "(archive)", message: "is not a readable ZIP archive" },
    ]);
  });

  it("an audit event altered (its hash no longer recomputes) is reported by seq, even with a re-signed manifest", async () => {
    const f = files();
    const lines = strFromU8(f["audit/events.jsonl"]!).trim().split("\n");
    const first = JSON.parse(lines[0]!) as PackAuditEvent;
    lines[0] = JSON.stringify({ ...first, actorLabel: "someone-else@test.local" });
    const altered = repack((g) => (g["audit/events.jsonl"] = strToU8(`${lines.join("\n")}\n`)));
    const result = verifyEvidencePack(altered);
    expect(result.problems).toContainEqual(
      expect.objectContaining({
        file: "audit/events.jsonl",
        message: expect.stringContaining(
          `event seq ${first.seq} (id ${first.id}): its fields no longer match its hash`,
        ),
      }),
    );
    // The CSV no longer matches the JSON Lines either.
    expect(result.problems.map((p) => p.file)).toContain("audit/events.csv");
  });

  it("npm run evidence:verify: exit 0 on the pack, 1 naming the altered file, 1 on another key; and the openssl recipe", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "handoff-evidence-"));
    const good = path.join(dir, "pack.zip");
    writeFileSync(good, pack);
    const run = (...args: string[]) =>
      spawnSync("npx", ["tsx", "--conditions=react-server", "scripts/evidence-verify.ts", ...args], {
        encoding: "utf8",
        timeout: 60_000,
      });
    const ok = run(good);
    expect(ok.stdout, ok.stderr).toContain(`Evidence pack VERIFIED: session ${sessionId}`);
    expect(ok.status).toBe(0);

    const bad = path.join(dir, "bad.zip");
    writeFileSync(
      bad,
      repack((f) => {
        const copy = new Uint8Array(f["records/decisions.json"]!);
        copy[10]! ^= 0x20;
        f["records/decisions.json"] = copy;
      }),
    );
    const failed = run(bad);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/FAILED verification/);
    expect(failed.stderr).toMatch(/records\/decisions\.json: was altered/);

    const keyFile = path.join(dir, "other.pem");
    writeFileSync(keyFile, generateKeyPairSync("ed25519").publicKey.export({ format: "pem", type: "spki" }));
    const wrong = run(good, "--public-key", keyFile);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/manifest\.sig: the signature of manifest\.json does not verify/);
    expect(run().status).toBe(2);

    // openssl and coreutils, as docs/evidence.md says.
    const out = path.join(dir, "pack");
    for (const [name, bytes] of Object.entries(files())) {
      mkdirSync(path.dirname(path.join(out, name)), { recursive: true });
      writeFileSync(path.join(out, name), bytes);
    }
    writeFileSync(
      path.join(out, "manifest.sig.bin"),
      Buffer.from(readFileSync(path.join(out, "manifest.sig"), "utf8"), "base64"),
    );
    const openssl = (file: string) =>
      spawnSync(
        "openssl",
        [
          "pkeyutl",
          "-verify",
          "-pubin",
          "-inkey",
          "public-key.pem",
          "-rawin",
          "-in",
          file,
          "-sigfile",
          "manifest.sig.bin",
        ],
        { cwd: out, encoding: "utf8" },
      );
    const verified = openssl("manifest.json");
    expect(verified.stdout + verified.stderr).toMatch(/Signature Verified Successfully/);
    expect(verified.status).toBe(0);
    const manifest = jsonOf<{ files: { path: string; sha256: string }[] }>("manifest.json");
    writeFileSync(
      path.join(out, "SHA256SUMS"),
      manifest.files.map((m) => `${m.sha256}  ${m.path}\n`).join(""),
    );
    const sums = spawnSync("sha256sum", ["-c", "SHA256SUMS"], { cwd: out, encoding: "utf8" });
    expect(sums.status, sums.stdout + sums.stderr).toBe(0);
    writeFileSync(path.join(out, "records/shares.json"), "[]\n");
    expect(spawnSync("sha256sum", ["-c", "SHA256SUMS"], { cwd: out, encoding: "utf8" }).stdout).toMatch(
      /records\/shares\.json: FAILED/,
    );
    writeFileSync(
      path.join(out, "forged.json"),
      readFileSync(path.join(out, "manifest.json"), "utf8").replace(sessionId, "x"),
    );
    expect(openssl("forged.json").status).not.toBe(0);
  }, 120_000);

  it("the export is recorded and audited in one go (session, archive SHA-256, fingerprint)", async () => {
    const before = (await x.w.t.db.select().from(evidenceExports)).length;
    const again = await exportEvidencePack(x.ctxOf(auditor), sessionId);
    const [row] = await x.w.t.db.select().from(evidenceExports).where(eq(evidenceExports.id, again.exportId));
    expect(row).toMatchObject({
      sessionId,
      requestedBy: auditor.id,
      archiveSha256: again.archiveSha256,
      keyFingerprint: again.fingerprint,
      files: 16,
      sizeBytes: again.bytes.length,
    });
    expect((await x.w.t.db.select().from(evidenceExports)).length).toBe(before + 1);
    const [audit] = await x.w.t.db.select().from(auditEvents).where(eq(auditEvents.entityId, again.exportId));
    expect(audit).toMatchObject({ action: "evidence.exported", actorId: auditor.id });
    expect(audit!.data).toMatchObject({
      sessionId,
      archiveSha256: again.archiveSha256,
      keyFingerprint: again.fingerprint,
    });
    // One key, made once and audited once.
    expect(await x.w.t.db.select().from(signingKeys)).toHaveLength(1);
    expect(
      await x.w.t.db.select().from(auditEvents).where(eq(auditEvents.action, "signing_key.created")),
    ).toHaveLength(1);
  });
});

describe(`GET /api/evidence (${testDriver()})`, () => {
  const get = async (id: string, user: TestUser | null) =>
    packRoute.GET(await request(`/api/evidence/${id}`, { user }), {
      params: Promise.resolve({ sessionId: id }),
    });

  it("an auditor downloads the ZIP as an attachment, not cached; it verifies", async () => {
    const res = await get(sessionId, auditor);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/zip");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("content-disposition")).toMatch(
      new RegExp(`^attachment; filename="handoff-evidence-${sessionId}-\\d{4}-\\d{2}-\\d{2}\\.zip"$`),
    );
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(verifyEvidencePack(bytes).ok).toBe(true);
    expect(res.headers.get("x-evidence-key-fingerprint")).toBe(
      jsonOf<{ key: { fingerprint: string } }>("manifest.json", bytes).key.fingerprint,
    );
  });

  it("officer, partnerships and admin → 403 with nothing recorded; signed out → 401", async () => {
    const count = async () => (await x.w.t.db.select().from(evidenceExports)).length;
    const before = await count();
    for (const role of ["officer", "partnerships", "admin"] as const) {
      const res = await get(sessionId, await insertUser(x.w.t.db, role));
      expect(res.status, role).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    }
    expect((await get(sessionId, null)).status).toBe(401);
    expect(await count()).toBe(before);
  });

  it("an unknown session → 404 and a malformed id → 404, nothing recorded; HEAD makes no pack", async () => {
    const before = (await x.w.t.db.select().from(evidenceExports)).length;
    const unknown = await get("0b7e1c7e-1111-4222-8333-944445555666", auditor);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe("not_found");
    expect((await get("not-a-session", auditor)).status).toBe(404);
    const head = await packRoute.HEAD(
      await request(`/api/evidence/${sessionId}`, { method: "HEAD", user: auditor }),
      {
        params: Promise.resolve({ sessionId }),
      },
    );
    expect(head.status).toBe(200);
    expect((await x.w.t.db.select().from(evidenceExports)).length).toBe(before);
  });

  it("the public key is readable signed out, as JSON and as PEM, and is the pack's", async () => {
    const res = await keyRoute.GET(await request("/api/evidence/public-key"));
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      algorithm: string;
      publicKeyPem: string;
      fingerprint: string;
      createdAt: string;
    };
    expect(body.algorithm).toBe("ed25519");
    expect(body.fingerprint).toBe(jsonOf<{ key: { fingerprint: string } }>("manifest.json").key.fingerprint);
    expect(body.publicKeyPem).toBe(strFromU8(files()["public-key.pem"]!));
    expect(JSON.stringify(body)).not.toMatch(/PRIVATE|ciphertext/i);
    const pem = await keyRoute.GET(await request("/api/evidence/public-key?format=pem"));
    expect(pem.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await pem.text()).toBe(body.publicKeyPem);
    const bad = await keyRoute.GET(await request("/api/evidence/public-key?format=der"));
    expect(bad.status).toBe(422);
  });
});
