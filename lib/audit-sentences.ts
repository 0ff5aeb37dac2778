import { UUID_RE } from "@/lib/ids";
/**
 * Audit events as sentences for people: "Olu Officer proposed Approved", not
 * "import.decision_proposed by officer@handoff.local". The one mapping from an audit action to
 * its sentence, used by the review timeline, the lineage timeline and the audit table. People are
 * parts of the sentence (a name, with the email for a tooltip), so each view can render them.
 */

export type SentencePerson = { id?: string | null; name: string; email?: string | null };
export type SentencePart = string | { person: SentencePerson };
export type Sentence = SentencePart[];

export type SentenceEvent = {
  action: string;
  /** The signed-in user who did it, when one did. */
  actor: SentencePerson | null;
  /** The audit row's actor label: an email, `didit`, `system`, `partner:…`. */
  actorLabel: string;
  data: Record<string, unknown>;
};

/** Keys of an event's `data` whose values are user ids (a string or a list of them). */
export const USER_ID_KEYS = [
  "from",
  "to",
  "proposedBy",
  "confirmedBy",
  "userId",
  "targetUserId",
  "approvedBy",
  "approvers",
  "requestedBy",
  "verifiedBy",
  "receivedBy",
  "importedBy",
  "assignedTo",
  "revokedBy",
] as const;

/** The user ids an event's data names (at the keys in USER_ID_KEYS), lower case. */
export function userIdsIn(data: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const key of USER_ID_KEYS) {
    const v = data[key];
    for (const x of Array.isArray(v) ? v : [v]) {
      if (typeof x === "string" && UUID_RE.test(x)) out.push(x.toLowerCase());
    }
  }
  return out;
}

/** The plain text of a sentence (names without emails), for tests, titles and exports. */
export function sentenceText(sentence: Sentence): string {
  return sentence.map((p) => (typeof p === "string" ? p : p.person.name)).join("");
}

/** Who a non-user actor label stands for. */
function labelActor(label: string): string {
  if (label === "didit") return "Didit";
  if (label === "system" || label === "") return "Handoff";
  if (label.startsWith("partner:")) return "The partner";
  if (label.startsWith("service:")) return `Service account ${label.slice("service:".length)}`;
  return label;
}

/** `proposal_rejected` → "proposal rejected": the last resort for an action with no sentence yet. */
function humanise(action: string): string {
  const [resource, verb] = action.split(/\.(.*)/s);
  const what = (verb ?? "").replace(/[._]/g, " ").trim();
  return what ? `${resource!.replace(/_/g, " ")}: ${what}` : action.replace(/[._]/g, " ");
}

function str(v: unknown): string | null {
  return typeof v === "string" && v.trim() !== "" ? v : null;
}

/**
 * The sentence for one audit event. `people` resolves the user ids in `data` (see userIdsIn); an id
 * it does not know reads "an officer" (a user since deleted, or one the reader may not see).
 */
export function auditSentence(event: SentenceEvent, people: ReadonlyMap<string, SentencePerson>): Sentence {
  const { action, data } = event;
  const who: SentencePart = event.actor ? { person: event.actor } : labelActor(event.actorLabel);
  const person = (v: unknown): SentencePart => {
    const p = typeof v === "string" ? people.get(v.toLowerCase()) : undefined;
    return p ? { person: p } : "an officer";
  };
  const status = str(data.status) ?? "a decision";
  const quote = (v: unknown): SentencePart[] => {
    const c = str(v);
    return c ? [`: “${c}”`] : [];
  };
  switch (action) {
    // Reviews
    case "import.assigned":
      return data.to
        ? [who, " assigned the review to ", person(data.to)]
        : data.from
          ? [who, " unassigned the review (it was ", person(data.from), "’s)"]
          : [who, " unassigned the review"];
    case "import.decision_proposed":
      return [who, ` proposed ${status}`, ...quote(data.comment)];
    case "import.proposal_rejected":
      return [
        who,
        ` rejected the proposal of ${status}`,
        ...(str(data.counterProposal) ? [` and proposed ${String(data.counterProposal)}`] : []),
        ...quote(data.comment),
      ];
    case "import.proposal_withdrawn":
      return [who, ` withdrew their proposal of ${status}`, ...quote(data.comment)];
    case "import.decision_submitted":
      return data.proposedBy
        ? [who, ` confirmed ${status} (proposed by `, person(data.proposedBy), ")", ...quote(data.comment)]
        : [who, ` decided ${status}`];
    case "import.decided":
      return data.proposedBy
        ? [
            who,
            ` confirmed ${status} (proposed by `,
            person(data.proposedBy),
            "), sent to Didit",
            ...quote(data.secondComment),
          ]
        : [who, ` decided ${status}, sent to Didit`, ...quote(data.comment)];
    case "import.decision_confirmed":
      return [`Didit confirmed ${status}`];
    case "import.decision_failed":
      return [`Didit did not take ${status}: ${str(data.reason) ?? str(data.code) ?? "no reason given"}`];
    case "import.status_changed":
      return [`The status at Didit changed from ${str(data.from) ?? "unknown"} to ${String(data.to)}`];
    case "import.recalled":
      return [
        `The partner recalled the source (${String(data.trigger ?? "changed")}): ${str(data.reason) ?? "no reason given"}`,
      ];
    case "import.recall_cleared":
      return [who, ` cleared the recall by deciding ${status}`];
    case "import.created":
      return event.actor ? [who, " imported the token"] : ["The partner’s policy imported the token"];
    case "import.failed":
      return [`The import failed${str(data.code) ? ` (${String(data.code)})` : ""}`];
    // Shares
    case "share.created":
      return [who, " shared the session"];
    case "share.delivered":
      return [`The token was delivered${data.channel === "internal" ? " inside this console" : ""}`];
    case "share.delivery_failed":
      return [`Delivering the token failed${str(data.error) ? `: ${String(data.error)}` : ""}`];
    case "share.picked_up":
      return ["The partner picked up the token"];
    case "share.revealed":
      return [who, " revealed the token for a manual hand-off"];
    case "share.receipt":
      return [`The partner reported the token ${str(data.status) ?? "handled"}`, ...quote(data.reason)];
    case "share.revoked":
      return [who, " revoked the share", ...quote(data.reason)];
    case "share.expired":
      return ["The token expired unused"];
    // Inbox
    case "inbox.received":
      return data.source === "paste"
        ? [who, " pasted a token into the inbox"]
        : data.source === "internal"
          ? ["The token arrived in the inbox (inside this console)"]
          : data.source === "pickup"
            ? ["A token was picked up from the partner"]
            : ["The partner delivered a token to the inbox"];
    case "inbox.picked_up":
      return ["A token was picked up from the partner"];
    case "inbox.rejected":
      return [who, " rejected the token", ...quote(data.reason)];
    case "inbox.refused":
      return [`A delivery was refused${str(data.code) ? ` (${String(data.code)})` : ""}`];
    // Recalls
    case "recall.raised":
      return [
        event.actor ? who : "Handoff",
        ` recalled the source’s shares${str(data.toStatus) ? ` (the source is now ${String(data.toStatus)})` : str(data.trigger) ? ` (${String(data.trigger)})` : ""}`,
        ...quote(data.reason),
      ];
    case "recall.received":
      return ["The partner’s recall was received", ...quote(data.reason)];
    case "recall.refused":
      return ["A recall was refused", ...quote(data.reason)];
    case "recall.task_done":
      return [who, " marked a recall notice done", ...quote(data.note)];
    case "recall.retried":
      return [who, " retried a recall notice"];
    default:
      return [who, ` · ${humanise(action)}`];
  }
}
