import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./users";

/**
 * Incremental audit verification: each row remembers a prefix of the chain that verified (through
 * `verifiedThroughSeq`, ending in `lastHash`), so the next verification walks only the rows after it.
 * A full walk (`full`) starts again from the genesis. The newest row is the state shown.
 */
export const auditCheckpoints = pgTable(
  "audit_checkpoints",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** The last seq of the verified prefix (0: nothing verified yet). */
    verifiedThroughSeq: bigint("verified_through_seq", { mode: "number" }).notNull(),
    /** That row's hash (the genesis hash when nothing was verified). */
    lastHash: text("last_hash").notNull(),
    /** The walk started from the genesis (not from an earlier checkpoint). */
    full: boolean("full").notNull(),
    ok: boolean("ok").notNull(),
    /** Rows walked by this verification. */
    checked: integer("checked").notNull(),
    /** When it failed: the first bad row and why. */
    firstBadSeq: bigint("first_bad_seq", { mode: "number" }),
    failureReason: text("failure_reason"),
    durationMs: integer("duration_ms").notNull(),
    verifiedBy: uuid("verified_by").references(() => users.id, { onDelete: "restrict" }),
    verifiedAt: timestamp("verified_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("audit_checkpoints_verified_at_idx").on(t.verifiedAt.desc())],
);

/**
 * Keys this instance signs with (Ed25519): the evidence pack's manifest. The private key is sealed
 * (lib/server/crypto/envelope.ts, its row id as associated data); the public key and its
 * fingerprint (SHA-256 of the raw 32-byte key, hex) are public. One current key per purpose.
 */
export const signingKeys = pgTable(
  "signing_keys",
  {
    id: uuid("id").primaryKey(),
    purpose: text("purpose", { enum: ["evidence"] }).notNull(),
    algorithm: text("algorithm", { enum: ["ed25519"] }).notNull(),
    /** SPKI PEM. */
    publicKeyPem: text("public_key_pem").notNull(),
    privateKeyCiphertext: text("private_key_ciphertext").notNull(),
    fingerprint: text("fingerprint").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    retiredAt: timestamp("retired_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("signing_keys_fingerprint_key").on(t.fingerprint),
    uniqueIndex("signing_keys_current_key")
      .on(t.purpose)
      .where(sql`${t.retiredAt} is null`),
    check("signing_keys_purpose_check", sql`${t.purpose} in ('evidence')`),
    check("signing_keys_algorithm_check", sql`${t.algorithm} in ('ed25519')`),
  ],
);

/** Every evidence pack exported: what, by whom, and the archive's and manifest's SHA-256. */
export const evidenceExports = pgTable(
  "evidence_exports",
  {
    id: uuid("id").primaryKey(),
    /** The Didit session uuid the pack is about. */
    sessionId: uuid("session_id").notNull(),
    requestedBy: uuid("requested_by")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    archiveSha256: text("archive_sha256").notNull(),
    manifestSha256: text("manifest_sha256").notNull(),
    keyFingerprint: text("key_fingerprint").notNull(),
    files: integer("files").notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    index("evidence_exports_created_idx").on(t.createdAt.desc()),
    index("evidence_exports_session_idx").on(t.sessionId),
  ],
);
