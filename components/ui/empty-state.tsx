import type { LucideIcon } from "lucide-react";
import type { ReactNode } from "react";
// clsx, not clsx(): callers add classes, they do not override these, and tailwind-merge stays off first loads.
import { clsx } from "clsx";

/** What an empty list looks like: what is missing and what to do next. */
export function EmptyState({
  title,
  icon: Icon,
  action,
  className,
  children,
}: {
  title: string;
  icon?: LucideIcon;
  action?: ReactNode;
  className?: string;
  children?: ReactNode;
}) {
  return (
    <div
      className={clsx("rounded-lg border border-dashed border-slate-300 px-6 py-10 text-center", className)}
    >
      {Icon && <Icon className="mx-auto mb-2 size-6 text-slate-500" aria-hidden />}
      <p className="text-sm font-medium text-slate-800">{title}</p>
      {children && <div className="mt-1 text-sm text-slate-600">{children}</div>}
      {action && <div className="mt-4 flex justify-center">{action}</div>}
    </div>
  );
}
