import type { ComponentProps } from "react";
import { cn } from "./cn";

/** A grey placeholder shape while content loads; pair it with a status message for screen readers. */
export function Skeleton({ className, ...props }: ComponentProps<"div">) {
  return <div aria-hidden className={cn("animate-pulse rounded-md bg-slate-200", className)} {...props} />;
}
