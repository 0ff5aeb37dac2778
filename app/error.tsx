"use client";

import { TriangleAlert } from "lucide-react";
import { buttonVariants } from "@/components/ui/button-variants";

export default function ErrorPage({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <main id="main" className="flex min-h-full items-center justify-center px-4 py-16">
      <div className="max-w-md text-center">
        <TriangleAlert className="mx-auto size-8 text-red-700" aria-hidden />
        <p className="mt-3 text-sm font-semibold text-red-700">Something went wrong</p>
        <h1 className="mt-2 text-2xl font-semibold text-slate-900">This page could not be shown</h1>
        <p className="mt-2 text-sm text-slate-600">
          Nothing was changed. Try again; if it keeps failing, give your administrator this reference:{" "}
          <code className="rounded bg-slate-100 px-1 text-slate-800">{error.digest ?? "n/a"}</code>
        </p>
        {/* buttonVariants, not <Button>: this boundary loads on every page, tailwind-merge need not. */}
        <button type="button" className={buttonVariants({ className: "mt-6" })} onClick={reset}>
          Try again
        </button>
      </div>
    </main>
  );
}
