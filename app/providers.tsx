"use client";

import "@/lib/client/style-nonce";
import { QueryClientProvider } from "@tanstack/react-query";
import { NuqsAdapter } from "nuqs/adapters/next/app";
import { useState, type ReactNode } from "react";
import { InertOutsideModals } from "@/components/ui/inert-outside-modals";
import { Toaster } from "@/components/ui/sonner";
import { TooltipProvider } from "@/components/ui/tooltip";
import { makeQueryClient } from "@/lib/client/query-client";

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
