import type { Metadata } from "next";
import Link from "next/link";
import { forbidden } from "next/navigation";
import { EvidenceDownloadButton } from "@/components/evidence/evidence-download-button";
import { LineageLoader } from "@/components/lineage/lineage-loader";
import { LineageSearch } from "@/components/lineage/lineage-search";
import { buttonVariants } from "@/components/ui/button-variants";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/rbac";
import { requirePageActor } from "@/lib/server/auth/page";
import { UUID_RE } from "@/lib/ids";

export const metadata: Metadata = { title: "Lineage" };

/** The segment as typed (`hello%20world` is "hello world"); a malformed escape stays as it came. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export default async function LineagePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ applicationId?: string | string[] }>;
}) {
  const { actor, allowed } = await requirePageActor("lineage.read");
  if (!allowed) forbidden();
  const id = decodeSegment((await params).id);
  const { applicationId } = await searchParams;
  const app = typeof applicationId === "string" && UUID_RE.test(applicationId) ? applicationId : undefined;
  // A uuid by its start, a number as #12, anything else (vendor_data, a typo) quoted as typed.
  const label = UUID_RE.test(id) ? id.slice(0, 8) : /^\d+$/.test(id) ? `#${id}` : `“${id}”`;
  return (
    <>
      <PageHeader
        title={`Lineage of session ${label}`}
        description="Upstream through what it was shared from, downstream through every share, clone and import of it, each step with its record and audit events."
        actions={
          UUID_RE.test(id) && (can(actor.role, "evidence.export") || can(actor.role, "erasure.request")) ? (
            <div className="flex gap-2">
              {/* Auditors: the signed pack of this session's lineage (a number may name several sessions: by uuid only). */}
              {can(actor.role, "evidence.export") && <EvidenceDownloadButton sessionId={id.toLowerCase()} />}
              {/* Admins: erase this session's personal data (the erasure page asks for the reason and confirmation). */}
              {can(actor.role, "erasure.request") && (
                <Link
                  href={`/erasure?session=${id.toLowerCase()}`}
                  className={buttonVariants({ variant: "secondary" })}
                >
                  Request erasure
                </Link>
              )}
            </div>
          ) : undefined
        }
      />
      <div className="space-y-6">
        <LineageSearch />
        <LineageLoader refValue={id} applicationId={app} />
      </div>
    </>
  );
}
