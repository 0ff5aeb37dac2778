import type { Metadata } from "next";
import { Forbidden } from "@/components/layout/forbidden";

export const metadata: Metadata = { title: "Not allowed" };

/** A 403 outside the console (the console has its own, inside its shell). */
export default function RootForbidden() {
  return (
    <main id="main" className="flex min-h-full items-center justify-center px-4 py-16">
      <Forbidden what="this page" />
    </main>
  );
}
