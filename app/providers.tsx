"use client";

import "@/lib/client/csp-nonce";
import { QueryClientProvider } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import { useState, type ReactNode } from "react";
import { config as zodConfig } from "zod/v4/core";
import { InertOutsideModals } from "@/components/ui/inert-outside-modals";
import { makeQueryClient } from "@/lib/client/query-client";

// Zod probes for eval (`Function("")`) to compile its parsers; under our CSP the probe is refused
// and reported as a violation. Parse without it in the browser. (Zod's core config only, so pages
// without a form do not carry all of zod.)
zodConfig({ jitless: true });

// Toasts only follow a user's action, so the toaster loads after the page, not with it.
const Toaster = dynamic(() => import("@/components/ui/sonner").then((m) => m.Toaster), { ssr: false });

export function Providers({ children }: { children: ReactNode }) {
  const [client] = useState(makeQueryClient);
  return (
    <QueryClientProvider client={client}>
      {children}
      <Toaster />
      <InertOutsideModals />
    </QueryClientProvider>
  );
}
