import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { LineageSearch } from "@/components/lineage/lineage-search";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageActor } from "@/lib/server/auth/page";

export const metadata: Metadata = { title: "Lineage" };

export default async function LineageSearchPage() {
  const { allowed } = await requirePageActor("lineage.read");
  if (!allowed) forbidden();
  return (
    <>
      <PageHeader
        title="Lineage"
        description="Where a verification travelled: the session it was shared from, every share of it, the partners' clones and our imports. Find a session to trace it."
      />
      <LineageSearch />
    </>
  );
}
