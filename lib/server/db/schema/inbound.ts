import { index, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Message ids already accepted from a signed sender, for replay refusal: `webhook-id` of a partner's
 * Standard Webhooks request (scope `partner:<id>`), `event_id` of a Didit webhook (scope
 * `didit:<application id>`). Rows older than the signature window may be pruned.
 */
export const inboundMessageIds = pgTable(
  "inbound_message_ids",
  {
    scope: text("scope").notNull(),
    messageId: text("message_id").notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.scope, t.messageId], name: "inbound_message_ids_pkey" }),
    index("inbound_message_ids_received_at_idx").on(t.receivedAt),
  ],
);
