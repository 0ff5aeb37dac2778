"use client";

import "@/lib/client/csp-nonce";
import "@/lib/client/zod-jitless";
import dynamic from "next/dynamic";
import type { ReactNode } from "react";
import { InertOutsideModals } from "@/components/ui/inert-outside-modals";

// Toasts only follow a user's action, so the toaster loads after the page, not with it.
const Toaster = dynamic(() => import("@/components/ui/sonner").then((m) => m.Toaster), { ssr: false });

// TanStack Query is provided by the pages that fetch (components/query-provider.tsx), not here:
// whatever this file imports is on every page's first load.
export function Providers({ children }: { children: ReactNode }) {
  return (
    <>
      {children}
      <Toaster />
      <InertOutsideModals />
    </>
  );
}
