import type { ComponentProps } from "react";
// clsx, not clsx(): callers add classes, they do not override these, and tailwind-merge stays off first loads.
import { clsx } from "clsx";

/** A grey placeholder shape while content loads; pair it with a status message for screen readers. */
export function Skeleton({ className, ...props }: ComponentProps<"div">) {
  return <div aria-hidden className={clsx("animate-pulse rounded-md bg-slate-200", className)} {...props} />;
}
