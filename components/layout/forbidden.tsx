import { ShieldX } from "lucide-react";
import Link from "next/link";
import { buttonVariants } from "@/components/ui/button";

/** The 403 view: which page the role cannot open, and what to do about it. */
export function Forbidden({ what, signedIn = true }: { what: string; signedIn?: boolean }) {
  return (
    <div className="mx-auto max-w-lg rounded-lg border border-slate-200 bg-white p-8 text-center shadow-sm">
      <ShieldX className="mx-auto size-8 text-red-700" aria-hidden />
      <p className="mt-3 text-sm font-semibold text-red-700">403 · Not allowed</p>
      <h1 className="mt-2 text-xl font-semibold text-slate-900">Your role cannot open {what}</h1>
      <p className="mt-2 text-sm text-slate-600">Ask an administrator if you need access.</p>
      <Link
        href={signedIn ? "/" : "/login"}
        className={buttonVariants({ variant: "secondary", className: "mt-6" })}
      >
        {signedIn ? "Back to the dashboard" : "Sign in"}
      </Link>
    </div>
  );
}
