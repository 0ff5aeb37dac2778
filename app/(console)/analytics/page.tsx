import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { AnalyticsLoader } from "@/components/analytics/analytics-loader";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageActor } from "@/lib/server/auth/page";

export const metadata: Metadata = { title: "Analytics" };

export default async function AnalyticsPage() {
  const { allowed } = await requirePageActor("analytics.view");
  if (!allowed) forbidden();
  return (
    <>
      <PageHeader
        title="Partner trust analytics"
        description="Per partner and period: what we shared and what it imported, what it sent us and what we imported, how fast, what expired, and how often our reviewers declined what the partner had approved."
      />
      <AnalyticsLoader />
    </>
  );
}
