import { ROLE_LABELS } from "@/lib/rbac";
import type { RoleDashboard } from "@/lib/server/services/operations";
import { AdminPanels } from "./admin-panels";
import { AuditorPanels } from "./auditor-panels";
import { FigureCards } from "./figure-cards";

/** The home page's dashboard for the reader's role: its figures, then the role's panels. */
export function RoleDashboardView({ data }: { data: RoleDashboard }) {
  return (
    <section aria-labelledby="role-dashboard-title" className="mb-8 space-y-6" data-dashboard={data.role}>
      <h2 id="role-dashboard-title" className="text-base font-semibold text-slate-900">
        {ROLE_LABELS[data.role]} dashboard
      </h2>
      <FigureCards figures={data.figures} label={`${ROLE_LABELS[data.role]} figures`} />
      {data.role === "auditor" && <AuditorPanels data={data} />}
      {data.role === "admin" && <AdminPanels data={data} />}
    </section>
  );
}
