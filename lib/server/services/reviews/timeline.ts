import "server-only";
import { and, asc, eq, inArray } from "drizzle-orm";
import {
  auditSentence,
  sentenceText,
  userIdsIn,
  type Sentence,
  type SentencePart,
  type SentencePerson,
} from "@/lib/audit-sentences";
import type {
  ImportListItemDto,
  LineageDto,
  TimelineEntryDto,
  TimelineEventKind,
} from "@/lib/schemas/reviews";
import { auditEvents, inboxItems, partners, users } from "@/lib/server/db/schema";
import type { DbOrTx } from "@/lib/server/db/types";

/**
 * An import's timeline on the review page: the token shared, delivered and imported (from the
 * inbox item and the import), then the import's audited events, each as a sentence naming people.
 */

type InboxRow = typeof inboxItems.$inferSelect;
type PartnerRow = typeof partners.$inferSelect;

/** The audit actions of an import shown on its timeline, and their kind there. */
const TIMELINE_ACTIONS: Record<string, TimelineEventKind> = {
  "import.assigned": "assigned",
  "import.decision_proposed": "proposed",
  "import.proposal_rejected": "proposal_rejected",
  "import.proposal_withdrawn": "proposal_withdrawn",
  "import.decided": "decided",
  "import.decision_confirmed": "confirmed",
  "import.decision_failed": "decision_failed",
  "import.status_changed": "status_changed",
  "import.recalled": "recalled",
  "import.recall_cleared": "recall_cleared",
};

const CHANNEL_LABEL: Record<string, string> = {
  push: "pushed by the partner",
  pickup: "picked up from the partner",
  paste: "pasted by an officer",
  internal: "delivered inside this console",
};

type TimelineEvent = {
  action: string;
  occurredAt: Date;
  actorId: string | null;
  actorLabel: string;
  actorName: string | null;
  actorEmail: string | null;
  data: Record<string, unknown>;
};

/** What the timeline is written from: the import's audited events and the people they name. */
export type TimelineSources = { events: TimelineEvent[]; people: Map<string, SentencePerson> };

/** The import's timeline events (by audit seq) and the users they name, with the officer who pasted the token. */
export async function loadTimelineSources(
  db: DbOrTx,
  importId: string,
  inbox: InboxRow,
): Promise<TimelineSources> {
  const events = await db
    .select({
      action: auditEvents.action,
      occurredAt: auditEvents.occurredAt,
      actorId: auditEvents.actorId,
      actorLabel: auditEvents.actorLabel,
      actorName: users.name,
      actorEmail: users.email,
      data: auditEvents.data,
    })
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.actorId))
    .where(
      and(
        eq(auditEvents.entityType, "import"),
        eq(auditEvents.entityId, importId),
        inArray(auditEvents.action, Object.keys(TIMELINE_ACTIONS)),
      ),
    )
    .orderBy(asc(auditEvents.seq));
  // Users named in the events' data (assignees, proposers), and the officer who pasted the token.
  const named = new Set<string>(events.flatMap((e) => userIdsIn(e.data)));
  if (inbox.receivedBy) named.add(inbox.receivedBy);
  const people = new Map<string, SentencePerson>();
  if (named.size > 0) {
    for (const u of await db
      .select({ id: users.id, name: users.name, email: users.email })
      .from(users)
      .where(inArray(users.id, [...named]))) {
      people.set(u.id, u);
    }
  }
  return { events, people };
}

function entry(kind: TimelineEventKind, at: string, sentence: Sentence): TimelineEntryDto {
  const first = sentence[0];
  return {
    kind,
    at,
    actor: first === undefined ? null : typeof first === "string" ? null : first.person.name,
    summary: sentenceText(sentence),
    sentence,
  };
}

/** The token's own steps: shared by the partner, delivered (by whom), imported (by whom, as what). */
function tokenEntries(
  item: ImportListItemDto,
  inbox: InboxRow,
  partner: PartnerRow,
  lineage: LineageDto,
  people: Map<string, SentencePerson>,
): TimelineEntryDto[] {
  const paster = inbox.receivedBy ? people.get(inbox.receivedBy) : undefined;
  const deliveredBy: SentencePart =
    inbox.source === "paste"
      ? paster
        ? { person: paster }
        : "an officer"
      : inbox.source === "internal"
        ? item.applicationName
        : partner.name;
  const entries = [
    entry("shared", lineage.sharedAt, [
      `${partner.name} shared source session ${item.sourceSessionId} (valid ${Math.round(lineage.ttlSeconds / 60)} min)`,
    ]),
    entry("delivered", lineage.deliveredAt, [
      "The token was received: ",
      inbox.source === "paste" ? "pasted by " : `${CHANNEL_LABEL[inbox.source] ?? inbox.source}`,
      ...(inbox.source === "paste" ? [deliveredBy] : []),
    ]),
  ];
  if (lineage.importedAt) {
    const detail = ` as clone ${item.cloneSessionId} (${item.statusAtImport}${item.trustReview ? ", the source's review trusted" : ""})`;
    entries.push(
      entry(
        "imported",
        lineage.importedAt,
        item.importedBy
          ? [{ person: item.importedBy }, ` imported the token${detail}`]
          : [
              `${item.importedByPolicy ? "The partner's auto-import policy" : "Handoff"} imported the token${detail}`,
            ],
      ),
    );
  }
  return entries;
}

/** The whole timeline, oldest first. */
export function timelineOf(
  item: ImportListItemDto,
  inbox: InboxRow,
  partner: PartnerRow,
  lineage: LineageDto,
  { events, people }: TimelineSources,
): TimelineEntryDto[] {
  const timeline = tokenEntries(item, inbox, partner, lineage, people);
  for (const e of events) {
    const actor = e.actorId && e.actorName ? { id: e.actorId, name: e.actorName, email: e.actorEmail } : null;
    timeline.push(
      entry(
        TIMELINE_ACTIONS[e.action]!,
        e.occurredAt.toISOString(),
        auditSentence({ action: e.action, actor, actorLabel: e.actorLabel, data: e.data }, people),
      ),
    );
  }
  // Stable: events at the same millisecond keep their order (token, delivery, import, audit seq).
  timeline.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return timeline;
}
