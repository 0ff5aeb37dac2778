import { describe, expect, it } from "vitest";
import {
  renderVendorDataTemplate,
  updatePartnerRequestSchema,
  vendorDataTemplateErrors,
  createPartnerRequestSchema,
} from "@/lib/schemas/partners";
import {
  agreementStateOf,
  daysUntil,
  describeSeconds,
  evaluateImportPolicy,
  evaluateSharePolicy,
  normaliseStatus,
  type PartnerRow,
} from "./agreement-policy";

const APP = "6a0b8c52-5a51-4c1b-9a3e-0d1d5bb1f001";
const OTHER_APP = "6a0b8c52-5a51-4c1b-9a3e-0d1d5bb1f002";
const TODAY = new Date("2026-12-01T10:00:00Z");

function partner(overrides: Partial<PartnerRow> = {}): PartnerRow {
  return {
    id: "0f0e8f4c-3f5e-4b8a-9d3c-2e4f6a8b0c01",
    name: "Acme Pay",
    diditApplicationId: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    applicationId: APP,
    direction: "outbound",
    agreementReference: "DSA-2026-01",
    agreementSignedOn: "2026-01-15",
    agreementExpiresOn: "2027-06-30",
    allowedKinds: ["user"],
    allowedStatuses: ["Approved", "In Review"],
    defaultTtlSeconds: 3600,
    maxTtlSeconds: 7200,
    deliveryChannel: "manual",
    pushUrl: null,
    partnerApiBaseUrl: null,
    remotePartnerId: null,
    inboundPickup: false,
    pickupPolledAt: null,
    pickupError: null,
    importMode: "manual",
    trustReview: false,
    importWorkflowUser: null,
    importWorkflowBusiness: null,
    vendorDataTemplate: null,
    reviewSlaHours: 48,
    requireFourEyes: false,
    status: "active",
    suspendedReason: null,
    suspendedAt: null,
    contacts: [],
    notes: null,
    createdBy: null,
    createdAt: TODAY,
    updatedAt: TODAY,
    ...overrides,
  };
}
const session = (o: Partial<{ kind: string; status: string; applicationId: string }> = {}) => ({
  kind: "user",
  status: "Approved",
  applicationId: APP,
  ...o,
});

describe("evaluateSharePolicy", () => {
  it("allows an active outbound partner with a valid agreement, using its default lifetime", () => {
    expect(evaluateSharePolicy(partner(), session(), undefined, TODAY)).toEqual({
      ok: true,
      ttlSeconds: 3600,
    });
    expect(evaluateSharePolicy(partner({ direction: "both" }), session(), 600, TODAY)).toEqual({
      ok: true,
      ttlSeconds: 600,
    });
  });

  it("refuses in the documented order, each with a message saying what to do", () => {
    const everythingWrong = partner({
      status: "suspended",
      suspendedReason: "audit finding",
      direction: "inbound",
      agreementExpiresOn: "2026-10-01",
      allowedKinds: ["business"],
      allowedStatuses: ["Approved"],
      maxTtlSeconds: 600,
      defaultTtlSeconds: 300,
    });
    const steps: [Partial<PartnerRow>, string, RegExp][] = [
      [{}, "partner_suspended", /Acme Pay is suspended \(audit finding\).*reactivates/],
      [{ status: "active" }, "partner_not_outbound", /outbound or both/],
      [
        { status: "active", direction: "both" },
        "partner_agreement_expired",
        /expired on 2026-10-01: record a renewed agreement on the partner's page before sharing/,
      ],
      [
        { status: "active", direction: "both", agreementExpiresOn: null },
        "kind_not_allowed",
        /KYC \(user\) sessions may not be shared with Acme Pay \(allowed: KYB \(business\)\)/,
      ],
      [
        { status: "active", direction: "both", agreementExpiresOn: null, allowedKinds: ["user", "business"] },
        "status_not_allowed",
        /In Review sessions may not be shared with Acme Pay \(allowed: Approved\)/,
      ],
    ];
    for (const [fix, code, message] of steps) {
      const result = evaluateSharePolicy(
        { ...everythingWrong, ...fix },
        session({ status: "In Review" }),
        900,
        TODAY,
      );
      expect(result, code).toMatchObject({ ok: false, code });
      expect(!result.ok && result.message, code).toMatch(message);
    }
    const ttl = evaluateSharePolicy(
      partner({ maxTtlSeconds: 600, defaultTtlSeconds: 300 }),
      session(),
      900,
      TODAY,
    );
    expect(ttl).toMatchObject({ ok: false, code: "ttl_above_partner_max" });
    expect(!ttl.ok && ttl.message).toMatch(
      /at most 10 minutes: pick a shorter lifetime \(or the partner's default, 5 minutes\)/,
    );
  });

  it("refuses a partner of another of our applications before anything else", () => {
    const r = evaluateSharePolicy(
      partner({ status: "suspended" }),
      session({ applicationId: OTHER_APP }),
      60,
      TODAY,
    );
    expect(r).toMatchObject({ ok: false, code: "partner_not_for_application" });
  });

  it("refuses without an agreement in force (reference and signing date), and before a signing date in the future", () => {
    // The code changed with issue 15: a missing agreement is `partner_agreement_missing`, not "expired".
    const none = evaluateSharePolicy(
      partner({ agreementReference: null, agreementSignedOn: null, agreementExpiresOn: null }),
      session(),
      undefined,
      TODAY,
    );
    expect(none).toMatchObject({ ok: false, code: "partner_agreement_missing" });
    expect(!none.ok && none.message).toMatch(
      /No data-sharing agreement is in force with Acme Pay: its reference and signing date are not recorded\. A partnership manager must record/,
    );
    // A blank reference with dates, or a reference without a signing date, is no agreement either.
    for (const missing of [
      { agreementReference: null },
      { agreementReference: "   " },
      { agreementSignedOn: null },
    ]) {
      const r = evaluateSharePolicy(partner(missing), session(), undefined, TODAY);
      expect(r, JSON.stringify(missing)).toMatchObject({ ok: false, code: "partner_agreement_missing" });
      const imp = evaluateImportPolicy(
        partner({ ...missing, direction: "inbound" }),
        { session_kind: "user" },
        TODAY,
      );
      expect(imp, JSON.stringify(missing)).toMatchObject({ ok: false, code: "partner_agreement_missing" });
    }
    expect(
      evaluateSharePolicy(partner({ agreementSignedOn: null }), session(), undefined, TODAY),
    ).toMatchObject({ message: expect.stringMatching(/its signing date is not recorded/) });
    const future = evaluateSharePolicy(
      partner({ agreementSignedOn: "2026-12-02" }),
      session(),
      undefined,
      TODAY,
    );
    expect(future).toMatchObject({ ok: false, code: "partner_agreement_expired" });
    expect(!future.ok && future.message).toMatch(/takes effect on 2026-12-02/);
    // An open-ended agreement (a reference, no end) is in force.
    expect(evaluateSharePolicy(partner({ agreementExpiresOn: null }), session(), undefined, TODAY).ok).toBe(
      true,
    );
  });

  it("treats the expiry day as the last valid day", () => {
    expect(
      evaluateSharePolicy(partner({ agreementExpiresOn: "2026-12-01" }), session(), undefined, TODAY).ok,
    ).toBe(true);
    expect(
      evaluateSharePolicy(partner({ agreementExpiresOn: "2026-11-30" }), session(), undefined, TODAY),
    ).toMatchObject({
      code: "partner_agreement_expired",
    });
  });

  it("never shares an unfinished session, and normalises KYB's UPPER_SNAKE statuses", () => {
    const kyb = partner({ allowedKinds: ["business"] });
    expect(
      evaluateSharePolicy(kyb, session({ kind: "business", status: "IN_REVIEW" }), undefined, TODAY).ok,
    ).toBe(true);
    const declined = evaluateSharePolicy(
      kyb,
      session({ kind: "business", status: "DECLINED" }),
      undefined,
      TODAY,
    );
    expect(declined).toMatchObject({ ok: false, code: "status_not_allowed" });
    const unfinished = evaluateSharePolicy(partner(), session({ status: "In Progress" }), undefined, TODAY);
    expect(unfinished).toMatchObject({ ok: false, code: "status_not_allowed" });
    expect(!unfinished.ok && unfinished.message).toMatch(/Only finished sessions/);
    expect(
      evaluateSharePolicy(
        partner({ allowedStatuses: ["Declined"] }),
        session({ status: "Declined" }),
        60,
        TODAY,
      ).ok,
    ).toBe(true);
  });

  it("keeps lifetimes within 60..86400 whole seconds", () => {
    const big = partner({ maxTtlSeconds: 86400 });
    for (const bad of [59, 86401, 0, -1, 90.5, Number.NaN]) {
      expect(evaluateSharePolicy(big, session(), bad, TODAY), String(bad)).toMatchObject({
        code: "ttl_out_of_range",
      });
    }
    expect(evaluateSharePolicy(big, session(), 60, TODAY)).toEqual({ ok: true, ttlSeconds: 60 });
    expect(evaluateSharePolicy(big, session(), 86400, TODAY)).toEqual({ ok: true, ttlSeconds: 86400 });
  });
});

describe("evaluateImportPolicy", () => {
  it("checks suspended, direction, agreement and kind", () => {
    const inbound = partner({ direction: "inbound" });
    expect(evaluateImportPolicy(inbound, { session_kind: "user" }, TODAY)).toEqual({ ok: true });
    expect(evaluateImportPolicy(partner(), { session_kind: "user" }, TODAY)).toMatchObject({
      code: "partner_not_inbound",
    });
    expect(
      evaluateImportPolicy(
        { ...inbound, status: "suspended", suspendedReason: "x" },
        { session_kind: "user" },
        TODAY,
      ),
    ).toMatchObject({ code: "partner_suspended" });
    const lapsed = evaluateImportPolicy(
      { ...inbound, agreementExpiresOn: "2026-01-01" },
      { session_kind: "user" },
      TODAY,
    );
    expect(lapsed).toMatchObject({ code: "partner_agreement_expired" });
    expect(!lapsed.ok && lapsed.message).toMatch(/before importing/);
    expect(evaluateImportPolicy(inbound, { session_kind: "business" }, TODAY)).toMatchObject({
      code: "kind_not_allowed",
    });
  });
});

describe("agreement state", () => {
  it("is none, valid, expiring within 30 days (end day included) or expired", () => {
    const a = (
      expiresOn: string | null,
      reference: string | null = "R",
      signedOn: string | null = "2026-01-01",
    ) =>
      agreementStateOf(
        { agreementReference: reference, agreementSignedOn: signedOn, agreementExpiresOn: expiresOn },
        TODAY,
      );
    expect(a(null, null)).toBe("none");
    // Not in force without both a reference and a signing date, whatever the expiry says.
    expect(a("2027-01-01", null)).toBe("none");
    expect(a("2027-01-01", "R", null)).toBe("none");
    expect(a("2020-01-01", "", "2019-01-01")).toBe("none");
    expect(a(null)).toBe("valid");
    expect(a("2027-01-01")).toBe("valid");
    expect(a("2026-12-31")).toBe("expiring");
    expect(a("2026-12-01")).toBe("expiring");
    expect(a("2026-11-30")).toBe("expired");
    expect(daysUntil("2026-12-31", TODAY)).toBe(30);
    expect(daysUntil("2026-11-30", TODAY)).toBe(-1);
  });
});

describe("helpers", () => {
  it("normalises statuses and describes lifetimes", () => {
    expect(normaliseStatus("IN_REVIEW")).toBe("In Review");
    expect(normaliseStatus("APPROVED")).toBe("Approved");
    expect(normaliseStatus("In Review")).toBe("In Review");
    expect(describeSeconds(3600)).toBe("1 hour");
    expect(describeSeconds(5400)).toBe("90 minutes");
    expect(describeSeconds(61)).toBe("61 seconds");
  });

  it("validates vendor_data templates: known placeholders, balanced braces", () => {
    expect(vendorDataTemplateErrors("acme-{source_session}-{random}")).toEqual([]);
    expect(vendorDataTemplateErrors("{partner}/{session_number}/{date}/{session_kind}/{partner_id}")).toEqual(
      [],
    );
    expect(vendorDataTemplateErrors("x-{sesion}")[0]).toMatch(
      /Unknown placeholder \{sesion\}: use \{partner\}/,
    );
    expect(vendorDataTemplateErrors("x-{random")[0]).toMatch(/not closed/);
    expect(vendorDataTemplateErrors("x-}{")[0]).toMatch(/pairs/);
    expect(vendorDataTemplateErrors("{{random}}")[0]).toMatch(/pairs/);
    expect(
      renderVendorDataTemplate("acme-{source_session}-{session_number}", {
        source_session: "abc",
        session_number: 7,
      }),
    ).toBe("acme-abc-7");
  });
});

describe("request schemas", () => {
  const base = {
    name: "Acme",
    diditApplicationId: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    applicationId: APP,
    direction: "outbound",
    allowedKinds: ["user"],
  };

  it("fills the defaults: Approved and In Review (never Declined unless chosen), 1 h of 24 h", () => {
    const parsed = createPartnerRequestSchema.parse(base);
    expect(parsed.allowedStatuses).toEqual(["Approved", "In Review"]);
    expect(parsed.defaultTtlSeconds).toBe(3600);
    expect(parsed.maxTtlSeconds).toBe(86400);
    expect(parsed.status).toBe("active");
    expect(parsed.contacts).toEqual([]);
    expect(parsed.agreementExpiresOn).toBeNull();
  });

  it("refuses what the directory cannot hold, naming the field", () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ allowedKinds: [] }, "allowedKinds"],
      [{ allowedStatuses: ["Not Finished"] }, "allowedStatuses"],
      [{ defaultTtlSeconds: 59 }, "defaultTtlSeconds"],
      [{ maxTtlSeconds: 86401 }, "maxTtlSeconds"],
      [{ defaultTtlSeconds: 7200, maxTtlSeconds: 3600 }, "defaultTtlSeconds"],
      [{ agreementSignedOn: "2026-05-01", agreementExpiresOn: "2026-04-30" }, "agreementExpiresOn"],
      [{ agreementExpiresOn: "275760-09-13" }, "agreementExpiresOn"],
      [{ agreementExpiresOn: "2026-02-30" }, "agreementExpiresOn"],
      [{ agreementExpiresOn: "2026-02-01T10:00:00Z" }, "agreementExpiresOn"],
      [{ deliveryChannel: "push" }, "pushUrl"],
      [{ deliveryChannel: "push", pushUrl: "ftp://x.example" }, "pushUrl"],
      [{ pushUrl: "https://user:pw@x.example/inbox" }, "pushUrl"],
      [{ status: "suspended" }, "suspendedReason"],
      [{ vendorDataTemplate: "{nope}" }, "vendorDataTemplate"],
      [{ contacts: [{ name: "", email: "x" }] }, "contacts"],
      [{ name: "a\u0007b" }, "name"],
      [{ extra: true }, ""],
    ];
    for (const [patch, field] of bad) {
      const result = createPartnerRequestSchema.safeParse({ ...base, ...patch });
      expect(result.success, JSON.stringify(patch)).toBe(false);
      if (field)
        expect(
          result.error!.issues.some((i) => i.path[0] === field),
          JSON.stringify(patch),
        ).toBe(true);
    }
  });

  it("lets a PATCH change one field, and needs a reason to suspend", () => {
    expect(updatePartnerRequestSchema.parse({ name: "Renamed" })).toEqual({ name: "Renamed" });
    expect(updatePartnerRequestSchema.safeParse({}).success).toBe(false);
    expect(updatePartnerRequestSchema.safeParse({ status: "suspended" }).success).toBe(false);
    expect(
      updatePartnerRequestSchema.parse({ status: "suspended", suspendedReason: "DPA lapsed" }),
    ).toMatchObject({
      status: "suspended",
      suspendedReason: "DPA lapsed",
    });
    expect(updatePartnerRequestSchema.parse({ agreementExpiresOn: "" })).toEqual({
      agreementExpiresOn: null,
    });
  });
});
