import "server-only";
import { and, count, eq, gt, inArray, lte, or, sql } from "drizzle-orm";
import { AGREEMENT_EXPIRY_WARNING_DAYS } from "@/lib/schemas/partners";
import {
  importDecisions,
  imports,
  inboxItems,
  partnerSecrets,
  partners,
  recallNotices,
  shareDeliveries,
  shares,
} from "@/lib/server/db/schema";
import { type ServiceContext } from "@/lib/server/kernel";
import {
  at,
  IN_REVIEW,
  n,
  EXPIRING_SOON_MS,
  type OfficerDashboard,
  type PartnershipsDashboard,
} from "./dashboard-types";

/** The officer's and the partnerships manager's dashboards: work queues and partner figures. */

// Long on purpose: one Promise.all of independent aggregates (one per figure), then the figures
// built beside their query; split up, a figure would sit far from the SQL it counts.
export async function officerDashboard(ctx: ServiceContext): Promise<OfficerDashboard> {
  const now = ctx.now();
  const soon = new Date(now.getTime() + EXPIRING_SOON_MS);
  const me = ctx.actor!.id;
  const recalled = sql`(${imports.recalledAt} is not null and ${imports.recallClearedAt} is null)`;
  const [[reviews], [inbox], [outgoing], [tasks]] = await Promise.all([
    ctx.db
      .select({
        queue: sql<number>`count(*)`,
        overdue: sql<number>`count(*) filter (where ${imports.finishedAt} + make_interval(hours => ${partners.reviewSlaHours}) < ${at(now)})`,
        proposals: sql<number>`count(*) filter (where exists (select 1 from ${importDecisions} where ${importDecisions.importId} = ${imports.id} and ${importDecisions.state} = 'proposed'))`,
        mine: sql<number>`count(*) filter (where ${imports.assignedTo} = ${me}::uuid)`,
        recalled: sql<number>`count(*) filter (where ${recalled})`,
      })
      .from(imports)
      .innerJoin(partners, eq(partners.id, imports.partnerId))
      // The queue: clones In Review, and recalled imports waiting for a new decision.
      .where(and(eq(imports.state, "imported"), or(eq(imports.status, IN_REVIEW), recalled))),
    ctx.db
      .select({
        waiting: sql<number>`count(*)`,
        expiring: sql<number>`count(*) filter (where ${inboxItems.expiresAt} <= ${at(soon)})`,
      })
      .from(inboxItems)
      .where(and(eq(inboxItems.state, "pending"), gt(inboxItems.expiresAt, now))),
    ctx.db
      .select({ expiring: sql<number>`count(*)` })
      .from(shares)
      .where(and(eq(shares.state, "pending"), gt(shares.expiresAt, now), lte(shares.expiresAt, soon))),
    ctx.db.select({ open: count() }).from(recallNotices).where(eq(recallNotices.state, "open")),
  ]);
  return {
    role: "officer",
    figures: [
      {
        id: "review_queue",
        label: "In the review queue",
        value: n(reviews?.queue),
        href: "/reviews",
        hint: "Imported verifications In Review, and recalled ones, waiting for a decision.",
        empty: "Nothing to review: imports land here when a clone comes back In Review or is recalled.",
      },
      {
        id: "recalled_imports",
        label: "Recalled by the partner",
        value: n(reviews?.recalled),
        href: "/reviews?recalled=true",
        hint: "The partner's source changed after we imported (declined, deleted, expired): review these again.",
        empty: "No partner has recalled a verification we imported.",
      },
      {
        id: "overdue_reviews",
        label: "Overdue reviews",
        value: n(reviews?.overdue),
        href: "/reviews?overdue=true",
        hint: "Past the partner's review SLA: decide these first.",
        empty: "No review is past its partner's SLA.",
      },
      {
        id: "awaiting_second_approval",
        label: "Awaiting a second approval",
        value: n(reviews?.proposals),
        href: "/reviews",
        hint: "A first officer proposed a decision; another officer confirms it (listed first in the queue).",
        empty: "No proposal waits for a second officer.",
      },
      {
        id: "assigned_to_me",
        label: "Assigned to me",
        value: n(reviews?.mine),
        href: "/reviews?assignee=me",
        hint: "Reviews in the queue assigned to you.",
        empty: "Nothing is assigned to you: take one from the queue.",
      },
      {
        id: "inbox_waiting",
        label: "Waiting in the inbox",
        value: n(inbox?.waiting),
        href: "/inbox?state=pending",
        hint: "Tokens partners sent that are still valid and not yet imported.",
        empty: "The inbox is empty: partners' tokens arrive here, or paste one on the inbox page.",
      },
      {
        id: "inbox_expiring",
        label: "Received tokens expiring within an hour",
        value: n(inbox?.expiring),
        href: "/inbox?state=pending",
        hint: "Import them before they expire, or ask the partner for a new share.",
        empty: "No received token expires within the hour.",
      },
      {
        id: "shares_expiring_undelivered",
        label: "Our tokens expiring undelivered within an hour",
        value: n(outgoing?.expiring),
        href: "/shares?state=pending",
        hint: "Shares still pending delivery: check the partner's channel, or reveal the token to hand it over.",
        empty: "Every share due within the hour is delivered.",
      },
      {
        id: "recall_tasks_open",
        label: "Partners to tell of a recall",
        value: n(tasks?.open),
        href: "/recalls?side=sent&state=open",
        hint: "A source we shared changed; these partners have no push channel: tell them, then mark it done.",
        empty: "No recall is waiting to be told to a partner.",
      },
    ],
  };
}

// Long on purpose: one Promise.all of independent aggregates (one per figure), then the figures
// built beside their query; split up, a figure would sit far from the SQL it counts.
export async function partnershipsDashboard(ctx: ServiceContext): Promise<PartnershipsDashboard> {
  const now = ctx.now();
  const today = now.toISOString().slice(0, 10);
  const warnUntil = new Date(Date.parse(`${today}T00:00:00Z`) + AGREEMENT_EXPIRY_WARNING_DAYS * 86_400_000)
    .toISOString()
    .slice(0, 10);
  const activeSecret = sql`exists (select 1 from ${partnerSecrets} where ${partnerSecrets.partnerId} = ${partners.id} and (${partnerSecrets.expiresAt} is null or ${partnerSecrets.expiresAt} > ${at(now)}))`;
  const lastDelivery = sql`(select ${shareDeliveries.outcome} from ${shareDeliveries} where ${shareDeliveries.shareId} = ${shares.id} order by ${shareDeliveries.attempt} desc, ${shareDeliveries.finishedAt} desc limit 1)`;
  const [[p], [d], [r]] = await Promise.all([
    ctx.db
      .select({
        // As the list it links to: only an agreement in force (a reference and a signing date) can be ending.
        expiring: sql<number>`count(*) filter (where ${partners.agreementExpiresOn} >= ${today}::date and ${partners.agreementExpiresOn} <= ${warnUntil}::date
          and btrim(coalesce(${partners.agreementReference}, '')) <> '' and ${partners.agreementSignedOn} is not null)`,
        suspended: sql<number>`count(*) filter (where ${partners.status} = 'suspended')`,
        noSecret: sql<number>`count(*) filter (where not ${activeSecret})`,
      })
      .from(partners),
    ctx.db
      .select({
        failed: sql<number>`count(*) filter (where ${shares.state} = 'failed')`,
        retrying: sql<number>`count(*) filter (where ${shares.state} = 'pending' and ${lastDelivery} = 'retrying')`,
      })
      .from(shares)
      .where(inArray(shares.state, ["failed", "pending"])),
    ctx.db
      .select({ failing: count() })
      .from(recallNotices)
      .where(
        and(
          eq(recallNotices.channel, "push"),
          or(
            eq(recallNotices.state, "failed"),
            and(eq(recallNotices.state, "pending"), gt(recallNotices.attempts, 0)),
          ),
        ),
      ),
  ]);
  return {
    role: "partnerships",
    figures: [
      {
        id: "agreements_expiring",
        label: `Agreements expiring within ${AGREEMENT_EXPIRY_WARNING_DAYS} days`,
        value: n(p?.expiring),
        href: "/partners?expiring=true",
        hint: "Renew the data-sharing agreement and record its new end date, or sharing stops when it ends.",
        empty: "No agreement ends within 30 days.",
      },
      {
        id: "suspended_partners",
        label: "Suspended partners",
        value: n(p?.suspended),
        href: "/partners?status=suspended",
        hint: "Nothing is shared with or imported from them until they are reinstated.",
        empty: "No partner is suspended.",
      },
      {
        id: "failed_deliveries",
        label: "Failed deliveries",
        value: n(d?.failed),
        href: "/shares?state=failed",
        hint: "Shares whose delivery gave up: check the partner's push URL, then share again.",
        empty: "No delivery has failed.",
      },
      {
        id: "retrying_deliveries",
        label: "Deliveries retrying",
        value: n(d?.retrying),
        href: "/shares?state=pending",
        hint: "The partner's endpoint refused or did not answer; Handoff tries again.",
        empty: "No delivery is being retried.",
      },
      {
        id: "partners_without_secret",
        label: "Partners without a valid signing secret",
        value: n(p?.noSecret),
        href: "/partners",
        hint: "Rotate the partner's secret on its page so signed pushes and receipts verify.",
        empty: "Every partner has a valid signing secret.",
      },
      {
        id: "recall_pushes_failing",
        label: "Recall notices failing",
        value: n(r?.failing),
        href: "/recalls?side=sent&state=failed",
        hint: "Recall pushes the partner's endpoint refused or did not answer: check its inbox URL, then retry.",
        empty: "Every recall push reached its partner.",
      },
    ],
  };
}
