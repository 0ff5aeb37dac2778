import type { Metadata } from "next";
import { headers } from "next/headers";
import { Forbidden } from "@/components/layout/forbidden";

export const metadata: Metadata = { title: "Not allowed" };

// What the denied page is called in the sentence "Your role cannot open …", by path prefix.
const PAGES: [prefix: string, what: string][] = [
  ["/admin/users", "user administration"],
  ["/audit", "the audit trail"],
];

/** Rendered inside the console's shell (with the role's navigation) when a page calls forbidden(). */
export default async function ConsoleForbidden() {
  const path = (await headers()).get("x-handoff-path") ?? "";
  const what = PAGES.find(
    ([prefix]) => path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}?`),
  )?.[1];
  return <Forbidden what={what ?? "this page"} />;
}
