import { CircleAlert, CircleCheck, Info, TriangleAlert } from "lucide-react";
import type { ComponentProps, ReactNode } from "react";
// clsx, not clsx(): callers add classes, they do not override these, and tailwind-merge stays off first loads.
import { clsx } from "clsx";

const tones = {
  error: { className: "border-red-200 bg-red-50 text-red-800", Icon: CircleAlert },
  success: { className: "border-emerald-200 bg-emerald-50 text-emerald-800", Icon: CircleCheck },
  info: { className: "border-brand-100 bg-brand-50 text-brand-700", Icon: Info },
  warning: { className: "border-amber-200 bg-amber-50 text-amber-900", Icon: TriangleAlert },
} as const;

/** A message in the page flow. Errors are announced at once (role=alert), the rest politely. */
export function Alert({
  tone = "error",
  title,
  children,
  className,
  ...props
}: Omit<ComponentProps<"div">, "title"> & { tone?: keyof typeof tones; title?: ReactNode }) {
  const { className: toneClass, Icon } = tones[tone];
  return (
    <div
      role={tone === "error" ? "alert" : "status"}
      className={clsx("flex gap-2 rounded-md border px-3 py-2 text-sm", toneClass, className)}
      {...props}
    >
      <Icon className="mt-0.5 size-4 shrink-0" aria-hidden />
      <div className="min-w-0 flex-1">
        {title && <p className="font-medium">{title}</p>}
        {children}
      </div>
    </div>
  );
}
