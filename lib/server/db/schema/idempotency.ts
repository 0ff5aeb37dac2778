import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * `Idempotency-Key` requests (Stripe's semantics), one row per caller scope and key. While
 * `response_status` is null the first request is still running under the lease `lock_id`; once it
 * is set, the stored answer is replayed for the same request for 24 hours. A 5xx or a crash leaves
 * no recorded answer (the row is deleted, or its lease runs out), so the key stays retryable.
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    /** Whose key: `user:<id>` (a service account later gets its own prefix). */
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    /** SHA-256 of method, path and the canonical JSON body: a different request under the key is refused. */
    fingerprint: text("fingerprint").notNull(),
    method: text("method").notNull(),
    path: text("path").notNull(),
    /** The running attempt's lease; an outcome is recorded only by the attempt holding it. */
    lockId: uuid("lock_id").notNull(),
    lockedAt: timestamp("locked_at", { withTimezone: true }).notNull(),
    responseStatus: integer("response_status"),
    /** Replayed headers (content-type, cache-control, location), never a cookie or a secret. */
    responseHeaders: jsonb("response_headers").$type<Record<string, string>>(),
    responseBody: text("response_body"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.scope, t.key], name: "idempotency_keys_pkey" }),
    index("idempotency_keys_created_at_idx").on(t.createdAt),
  ],
);
