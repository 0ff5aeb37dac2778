"use client";

import { QueryClientProvider } from "@tanstack/react-query";
import { setNonce } from "get-nonce";
import { NuqsAdapter } from "nuqs/adapters/next/app";
import { useState, type ReactNode } from "react";
import { z } from "zod";
import { Toaster } from "@/components/ui/sonner";
import { TooltipProvider } from "@/components/ui/tooltip";
import { makeQueryClient } from "@/lib/client/query-client";

// Zod probes for eval (`Function("")`) to compile its parsers; under our CSP the probe is refused
// and reported as a violation. Parse without it in the browser.
z.config({ jitless: true });

export function Providers({ nonce, children }: { nonce?: string; children: ReactNode }) {
  // Radix's scroll lock adds a <style> tag while a dialog is open; under our CSP it needs the nonce.
  useState(() => nonce && setNonce(nonce));
  const [client] = useState(makeQueryClient);
  return (
    <NuqsAdapter>
      <QueryClientProvider client={client}>
        <TooltipProvider>
          {children}
          <Toaster />
        </TooltipProvider>
      </QueryClientProvider>
    </NuqsAdapter>
  );
}
