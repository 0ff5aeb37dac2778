import type { Metadata } from "next";
import { NotFoundView } from "@/components/layout/not-found-view";

export const metadata: Metadata = { title: "Page not found" };

/**
 * notFound() from a console page (an unknown review, share, partner…): rendered inside the
 * console's layout, which already draws the shell, so only the view (app/not-found.tsx, which
 * draws the shell itself, answers addresses that match no route).
 */
export default function ConsoleNotFound() {
  return <NotFoundView signedIn />;
}
