import { describe, expect, it } from "vitest";
import { auditSentence, sentenceText, userIdsIn, type SentencePerson } from "./audit-sentences";

const olu = {
  id: "11111111-1111-4111-8111-111111111111",
  name: "Olu Officer",
  email: "officer@handoff.local",
};
const ada = { id: "22222222-2222-4222-8222-222222222222", name: "Ada Admin", email: "admin@handoff.local" };
const people = new Map<string, SentencePerson>([
  [olu.id, olu],
  [ada.id, ada],
]);
const say = (
  action: string,
  data: Record<string, unknown> = {},
  actor: SentencePerson | null = olu,
  label = "x",
) => auditSentence({ action, actor, actorLabel: actor?.email ?? label, data }, people);
const text = (...args: Parameters<typeof say>) => sentenceText(say(...args));

describe("auditSentence: an audit action in words", () => {
  it("four eyes: the proposal, its confirmation and its rejection, with both officers by name", () => {
    expect(say("import.decision_proposed", { status: "Approved", comment: "Documents match" })).toEqual([
      { person: olu },
      " proposed Approved",
      ": “Documents match”",
    ]);
    expect(
      text("import.decision_submitted", { status: "Declined", proposedBy: olu.id, comment: "Agreed" }, ada),
    ).toBe("Ada Admin confirmed Declined (proposed by Olu Officer): “Agreed”");
    const decided = say(
      "import.decided",
      {
        status: "Declined",
        comment: "Selfie mismatch",
        proposedBy: olu.id,
        secondComment: "Checked again",
      },
      ada,
    );
    expect(decided).toContainEqual({ person: olu });
    expect(sentenceText(decided)).toBe(
      "Ada Admin confirmed Declined (proposed by Olu Officer), sent to Didit: “Checked again”",
    );
    expect(text("import.decided", { status: "Approved", comment: "Fine" })).toBe(
      "Olu Officer decided Approved, sent to Didit: “Fine”",
    );
    expect(
      text(
        "import.proposal_rejected",
        { status: "Approved", comment: "Stale", counterProposal: "Declined" },
        ada,
      ),
    ).toBe("Ada Admin rejected the proposal of Approved and proposed Declined: “Stale”");
    expect(text("import.proposal_withdrawn", { status: "Approved", comment: "Wrong file" })).toBe(
      "Olu Officer withdrew their proposal of Approved: “Wrong file”",
    );
  });

  it("assignments name both people; an unknown user id reads as an officer, never a uuid", () => {
    expect(text("import.assigned", { from: null, to: ada.id })).toBe(
      "Olu Officer assigned the review to Ada Admin",
    );
    expect(text("import.assigned", { from: ada.id, to: null })).toBe(
      "Olu Officer unassigned the review (it was Ada Admin’s)",
    );
    const unknown = "33333333-3333-4333-8333-333333333333";
    expect(text("import.assigned", { to: unknown })).toBe("Olu Officer assigned the review to an officer");
  });

  it("events without a user read as Didit, Handoff or the partner; no raw action or email appears", () => {
    expect(text("import.decision_confirmed", { status: "Approved" }, null, "didit")).toBe(
      "Didit confirmed Approved",
    );
    expect(text("import.status_changed", { from: "In Review", to: "Approved" }, null, "didit")).toBe(
      "The status at Didit changed from In Review to Approved",
    );
    expect(text("import.created", {}, null, "system")).toBe("The partner’s policy imported the token");
    expect(text("share.created")).toBe("Olu Officer shared the session");
    expect(text("inbox.received", { source: "push" }, null, "partner:abc")).toBe(
      "The partner delivered a token to the inbox",
    );
    for (const action of [
      "share.created",
      "share.delivered",
      "import.created",
      "inbox.received",
      "recall.raised",
    ]) {
      const out = text(action, { source: "internal" });
      expect(out).not.toContain(action);
      expect(out).not.toContain("@");
    }
  });

  it("an action without its own sentence still reads as words, with the actor by name", () => {
    expect(text("partner.secret_rotated")).toBe("Olu Officer · partner: secret rotated");
    expect(text("application.key_rotated", {}, null, "system")).toBe("Handoff · application: key rotated");
  });
});

describe("userIdsIn", () => {
  it("finds user ids at the user keys (one or a list), lower case, and nothing else", () => {
    expect(
      userIdsIn({
        to: olu.id.toUpperCase(),
        approvers: [ada.id, "not-a-uuid", 5],
        decisionId: "44444444-4444-4444-8444-444444444444",
      }),
    ).toEqual([olu.id, ada.id]);
    expect(userIdsIn({})).toEqual([]);
  });
});
