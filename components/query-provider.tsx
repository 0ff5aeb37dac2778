"use client";

import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { makeQueryClient } from "@/lib/client/query-client";

let browserClient: QueryClient | undefined;

/**
 * TanStack Query for the pages that fetch through our API (users, audit, account), so the pages
 * that do not (dashboard, sign-in, 404) leave it out of their first load. One client per browser
 * tab, kept across navigations, so its cache outlives a page; a fresh one per server render.
 */
function queryClient() {
  if (typeof window === "undefined") return makeQueryClient();
  browserClient ??= makeQueryClient();
  return browserClient;
}

export function QueryProvider({ children }: { children: ReactNode }) {
  return <QueryClientProvider client={queryClient()}>{children}</QueryClientProvider>;
}
