"use client";

import "@/lib/client/style-nonce";
import { QueryClientProvider } from "@tanstack/react-query";
import { NuqsAdapter } from "nuqs/adapters/next/app";
import { useState, type ReactNode } from "react";
import { config as zodConfig } from "zod/v4/core";
import { InertOutsideModals } from "@/components/ui/inert-outside-modals";
import { Toaster } from "@/components/ui/sonner";
import { TooltipProvider } from "@/components/ui/tooltip";
import { makeQueryClient } from "@/lib/client/query-client";

// Zod probes for eval (`Function("")`) to compile its parsers; under our CSP the probe is refused
// and reported as a violation. Parse without it in the browser. (Zod's core config only, so pages
// without a form do not carry all of zod.)
zodConfig({ jitless: true });

export function Providers({ children }: { children: ReactNode }) {
  const [client] = useState(makeQueryClient);
  return (
    <NuqsAdapter>
      <QueryClientProvider client={client}>
        <TooltipProvider>
          {children}
          <Toaster />
          <InertOutsideModals />
        </TooltipProvider>
      </QueryClientProvider>
    </NuqsAdapter>
  );
}
