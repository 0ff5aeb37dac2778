import type { Metadata } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { Providers } from "./providers";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Handoff", template: "%s · Handoff" },
  description:
    "Reusable KYC/KYB hand-offs between partner businesses, with the compliance trail around them.",
};

/** The request's CSP nonce (set by proxy.ts), for the <style> tags Radix adds while a dialog is open. */
async function styleNonce(): Promise<string | undefined> {
  const csp = (await headers()).get("content-security-policy") ?? "";
  return /'nonce-([A-Za-z0-9+/=_-]+)'/.exec(csp)?.[1];
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="font-sans">
        <Providers nonce={await styleNonce()}>{children}</Providers>
      </body>
    </html>
  );
}
