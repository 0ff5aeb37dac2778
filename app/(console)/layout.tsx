import type { ReactNode } from "react";
import { AppShell } from "@/components/layout/app-shell";
import { navigationFor } from "@/lib/navigation";
import { ROLE_LABELS } from "@/lib/rbac";
import { requirePageActor } from "@/lib/server/auth/page";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const { actor } = await requirePageActor();
  return (
    <AppShell
      nav={navigationFor(actor.role).map(({ href, label }) => ({ href, label }))}
      user={{ name: actor.name, email: actor.email, roleLabel: ROLE_LABELS[actor.role] }}
    >
      {children}
    </AppShell>
  );
}
