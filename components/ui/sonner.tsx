"use client";

import "@/lib/client/csp-nonce";
import { Toaster as Sonner, toast, type ToasterProps } from "sonner";

/** Toasts for results: import `toast` from here (not from "sonner"), so the CSP nonce is in place first. */
export { toast };

/** The one toaster, mounted in the providers. */
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
