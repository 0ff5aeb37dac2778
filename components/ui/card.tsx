import type { ComponentProps, ReactNode } from "react";
// clsx, not clsx(): callers add classes, they do not override these, and tailwind-merge stays off first loads.
import { clsx } from "clsx";

// Kept here so existing imports (`import { Alert, PageHeader } from "@/components/ui/card"`) still work.
export { Alert } from "./alert";
export { EmptyState } from "./empty-state";
export { PageHeader } from "./page-header";

/** A titled panel: `title`/`actions` for the common case, or compose CardHeader/CardContent yourself. */
export function Card({
  title,
  description,
  actions,
  children,
  className,
  ...props
}: Omit<ComponentProps<"section">, "title"> & {
  title?: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  const titled = Boolean(title || actions);
  // min-w-0: as a grid or flex item the card may narrow below its content (tables scroll inside it).
  return (
    <section
      className={clsx("min-w-0 rounded-lg border border-slate-200 bg-white shadow-sm", className)}
      {...props}
    >
      {titled && (
        <CardHeader>
          <div className="min-w-0">
            {title && <CardTitle>{title}</CardTitle>}
            {description && <CardDescription>{description}</CardDescription>}
          </div>
          {actions}
        </CardHeader>
      )}
      {titled ? <CardContent>{children}</CardContent> : children}
    </section>
  );
}

export function CardHeader({ className, ...props }: ComponentProps<"header">) {
  return (
    <header
      className={clsx(
        "flex items-center justify-between gap-4 border-b border-slate-100 px-4 py-3",
        className,
      )}
      {...props}
    />
  );
}

export function CardTitle({ className, ...props }: ComponentProps<"h2">) {
  return (
    <h2
      className={clsx(
        "flex items-center gap-2 text-sm font-semibold text-slate-800 [&_svg]:size-4",
        className,
      )}
      {...props}
    />
  );
}

export function CardDescription({ className, ...props }: ComponentProps<"p">) {
  return <p className={clsx("mt-0.5 text-xs text-slate-600", className)} {...props} />;
}

export function CardContent({ className, ...props }: ComponentProps<"div">) {
  return <div className={clsx("p-4", className)} {...props} />;
}

export function CardFooter({ className, ...props }: ComponentProps<"footer">) {
  return (
    <footer
      className={clsx("flex items-center gap-2 border-t border-slate-100 px-4 py-3", className)}
      {...props}
    />
  );
}
