import type { Metadata } from "next";
import { AppShell } from "@/components/layout/app-shell";
import { NotFoundView } from "@/components/layout/not-found-view";
import { navigationFor } from "@/lib/navigation";
import { ROLE_LABELS } from "@/lib/rbac";
import { currentActor } from "@/lib/server/auth/page";

export const metadata: Metadata = { title: "Page not found" };

/** 404: a signed-in user keeps the console's navigation; a visitor gets the plain page. */
export default async function NotFound() {
  const actor = await currentActor();
  if (!actor) {
    return (
      <main id="main" className="flex min-h-full items-center justify-center px-4 py-16">
        <NotFoundView signedIn={false} />
      </main>
    );
  }
  return (
    <AppShell
      nav={navigationFor(actor.role).map(({ href, label }) => ({ href, label }))}
      user={{ name: actor.name, email: actor.email, roleLabel: ROLE_LABELS[actor.role] }}
    >
      <NotFoundView signedIn />
    </AppShell>
  );
}
