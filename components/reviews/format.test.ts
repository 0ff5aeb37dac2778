import { describe, expect, it } from "vitest";
import {
  differenceSentence,
  isReviewLanding,
  sourceComparison,
  formatDuration,
  humanKey,
  isMediaUrl,
  scalarText,
  shortId,
  slaText,
} from "./format";

describe("review formatting", () => {
  it("reads Didit's keys as words", () => {
    expect(humanKey("date_of_birth")).toBe("Date of birth");
    expect(humanKey("aml_screenings")).toBe("AML screenings");
    expect(humanKey("ip_country_code")).toBe("IP country code");
    expect(humanKey("poa_address")).toBe("PoA address");
    expect(humanKey("is_ubo")).toBe("Is UBO");
  });

  it("recognises only the review route's media URLs as images", () => {
    expect(isMediaUrl("/api/imports/0b6f7a62-7a4e-4f0e-9a53-0f2b1c3d4e5f/media/front")).toBe(true);
    expect(isMediaUrl("https://didit.example/media/front.png")).toBe(false);
    expect(isMediaUrl("/api/imports/not-a-uuid/media/front")).toBe(false);
    expect(isMediaUrl(42)).toBe(false);
  });

  it("writes scalars plainly", () => {
    expect(scalarText(true)).toBe("Yes");
    expect(scalarText(false)).toBe("No");
    expect(scalarText(null)).toBe("—");
    expect(scalarText(95.456)).toBe("95.46");
    expect(scalarText("FULL_MATCH")).toBe("FULL_MATCH");
  });

  it("says how long until (or since) a review is due", () => {
    const now = new Date("2026-12-01T12:00:00Z");
    expect(slaText("2026-12-01T17:30:00Z", now)).toBe("Due in 5 h 30 min");
    expect(slaText("2026-11-29T10:00:00Z", now)).toBe("Overdue by 2 d 2 h");
    expect(slaText(null, now)).toBe("No due time");
    expect(formatDuration(20_000)).toBe("less than a minute");
    expect(shortId("0b6f7a62-7a4e-4f0e-9a53-0f2b1c3d4e5f")).toBe("0b6f7a62");
  });

  it("puts a changed status in words", () => {
    expect(
      differenceSentence({
        path: "status",
        label: "Status",
        kind: "status_changed",
        clone: "In Review",
        source: "Declined",
      }),
    ).toBe("Status: In Review on the clone, Declined at the source now.");
    expect(
      differenceSentence(
        { path: "status", label: "Status", kind: "status_changed", clone: "In Review", source: "Declined" },
        "Approved",
      ),
    ).toBe(
      "Status: In Review on the clone, Declined at the source now. It was Approved when shared: the source changed since.",
    );
  });

  it("never says 'No differences' about an erased source or a clone that could not be read", () => {
    expect(sourceComparison({ erased: true, cloneReadable: true, differences: 0 })).toBe("erased");
    expect(sourceComparison({ erased: true, cloneReadable: true, differences: 3 })).toBe("erased");
    expect(sourceComparison({ erased: false, cloneReadable: false, differences: 0 })).toBe("not_compared");
    expect(sourceComparison({ erased: false, cloneReadable: true, differences: 0 })).toBe("none");
    expect(sourceComparison({ erased: false, cloneReadable: true, differences: 2 })).toBe("differences");
  });

  it("says a clone is In Review because trust review was off, not because the source changed", () => {
    const d = {
      path: "status",
      label: "Status",
      kind: "status_changed",
      clone: "In Review",
      source: "Approved",
    } as const;
    expect(isReviewLanding(d, "Approved", false)).toBe(true);
    expect(differenceSentence(d, "Approved", false)).toBe(
      "Status: In Review on the clone because trust review was off for this import (it lands in review here, whatever the source's decision); Approved at the source, as when it was shared: the source did not change.",
    );
    expect(differenceSentence(d, null, false)).toMatch(
      /because trust review was off .*; Approved at the source now\.$/,
    );
    // Trust review on, or a source that changed since the share: a real difference, said as one.
    expect(isReviewLanding(d, "Approved", true)).toBe(false);
    expect(isReviewLanding({ ...d, source: "Declined" }, "Approved", false)).toBe(false);
    expect(differenceSentence({ ...d, source: "Declined" }, "Approved", false)).toMatch(
      /the source changed since/,
    );
  });
});
