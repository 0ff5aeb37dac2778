"use client";

import { Toaster as Sonner, type ToasterProps } from "sonner";

/** The one toaster, mounted in the providers; call `toast.success(…)` / `toast.error(…)` from "sonner". */
export function Toaster(props: ToasterProps) {
  return (
    <Sonner
      position="bottom-right"
      closeButton
      toastOptions={{
        classNames: {
          toast: "!rounded-lg !border !border-slate-200 !bg-white !text-slate-900 !shadow-lg",
          description: "!text-slate-600",
          error: "!border-red-200 !text-red-800",
          success: "!border-emerald-200 !text-emerald-800",
        },
      }}
      {...props}
    />
  );
}
