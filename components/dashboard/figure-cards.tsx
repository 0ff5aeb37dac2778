import { ArrowRight } from "lucide-react";
import Link from "next/link";
import type { DashboardFigure } from "@/lib/server/services/operations";

/**
 * A dashboard's figures: each a link to the page (with its filters) listing what it counts, the
 * number, a short label, and what to do (or, at zero, that there is nothing to do).
 */
export function FigureCards({ figures, label }: { figures: DashboardFigure[]; label: string }) {
  return (
    <ul aria-label={label} className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
      {figures.map((f) => (
        <li key={f.id}>
          <Link
            href={f.href}
            data-figure={f.id}
            className="group flex h-full flex-col rounded-lg border border-slate-200 bg-white p-4 shadow-sm transition-colors hover:border-brand-300 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-500"
          >
            <span
              className={`text-3xl font-semibold tabular-nums ${f.value > 0 ? "text-slate-900" : "text-slate-500"}`}
              data-figure-value
            >
              {f.value}
            </span>
            <span className="mt-1 text-sm font-medium text-slate-800">{f.label}</span>
            <span className="mt-1 flex-1 text-xs text-slate-600">{f.value > 0 ? f.hint : f.empty}</span>
            <span className="mt-2 inline-flex items-center gap-1 text-xs font-medium text-brand-700 group-hover:underline">
              Open <ArrowRight className="size-3" aria-hidden />
            </span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
