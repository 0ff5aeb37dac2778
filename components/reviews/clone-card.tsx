"use client";

import { ScanFace } from "lucide-react";
import { statusTone } from "@/components/sessions/format";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { DateTime } from "@/components/ui/date-time";
import type { ReviewSideDto } from "@/lib/schemas/reviews";
import { FeatureSection } from "./feature-view";
import { humanKey } from "./format";
import { Facts } from "./lineage-card";

/** The clone as Didit holds it now (through our key): its facts, reviews, then one section per feature. */
export function CloneCard({ side }: { side: ReviewSideDto }) {
  return (
    <Card
      aria-label="The clone at Didit now"
      title={
        <>
          <ScanFace aria-hidden /> The clone at Didit now
        </>
      }
      description="Read through our application's key; images come through Handoff, never with a key in the page."
    >
      {!side.available ? (
        <Alert tone="info" title="The clone could not be read from Didit">
          {side.message}
        </Alert>
      ) : (
        <CloneBody decision={side.decision} />
      )}
    </Card>
  );
}

function CloneBody({ decision: c }: { decision: Extract<ReviewSideDto, { available: true }>["decision"] }) {
  const features = Object.entries(c.featureData);
  const present = features.filter(([, checks]) => checks.length > 0);
  const absent = features.filter(([, checks]) => checks.length === 0).map(([k]) => humanKey(k));
  return (
    <div className="space-y-4">
      <Facts
        rows={[
          [
            "Status",
            <Badge key="s" tone={statusTone(c.status)}>
              {c.status}
            </Badge>,
          ],
          [
            "Session",
            <code key="i" className="break-all text-xs">
              {c.sessionNumber !== null ? `#${c.sessionNumber} · ` : ""}
              {c.sessionId}
            </code>,
          ],
          [
            "vendor_data",
            c.vendorData ? (
              <code key="v" className="break-all text-xs">
                {c.vendorData}
              </code>
            ) : (
              "—"
            ),
          ],
          [
            "Workflow",
            c.workflowId ? (
              <code key="w" className="break-all text-xs">
                {c.workflowId}
              </code>
            ) : (
              "—"
            ),
          ],
          ["Created", <DateTime key="c" value={c.createdAt} />],
          [
            "shared_from_session",
            c.sharedFromSession ? (
              <code key="f" className="break-all text-xs">
                {c.sharedFromSession}
              </code>
            ) : (
              "—"
            ),
          ],
        ]}
      />
      {c.reviews.length > 0 && (
        <section aria-label="Reviews at Didit" className="space-y-1">
          <h3 className="text-sm font-semibold text-slate-800">Reviews at Didit</h3>
          <ul className="space-y-1 text-sm">
            {c.reviews.map((r, i) => (
              <li key={i} className="text-slate-800">
                <Badge tone={statusTone(r.newStatus)}>{r.newStatus}</Badge> {r.user ?? "Didit"}
                {r.createdAt && (
                  <>
                    {" "}
                    · <DateTime value={r.createdAt} />
                  </>
                )}
                {r.comment && <span className="text-slate-600"> — {r.comment}</span>}
              </li>
            ))}
          </ul>
        </section>
      )}
      {present.length === 0 ? (
        <p className="text-sm text-slate-600">Didit holds no check results for this session.</p>
      ) : (
        present.map(([feature, checks]) => <FeatureSection key={feature} feature={feature} checks={checks} />)
      )}
      {absent.length > 0 && (
        <p className="text-xs text-slate-600">Not part of this session: {absent.join(", ")}.</p>
      )}
    </div>
  );
}
