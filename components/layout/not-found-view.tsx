import { Compass } from "lucide-react";
import Link from "next/link";
import { buttonVariants } from "@/components/ui/button";

/** The 404 view, inside the console's shell for a signed-in user or on its own for a visitor. */
export function NotFoundView({ signedIn }: { signedIn: boolean }) {
  return (
    <div className="mx-auto max-w-md py-8 text-center">
      <Compass className="mx-auto size-8 text-brand-600" aria-hidden />
      <p className="mt-3 text-sm font-semibold text-brand-700">404</p>
      <h1 className="mt-2 text-2xl font-semibold text-slate-900">This page does not exist</h1>
      <p className="mt-2 text-sm text-slate-600">
        {signedIn ? "Check the address, or go back to the dashboard." : "Check the address, or sign in."}
      </p>
      <Link
        href={signedIn ? "/" : "/login"}
        className={buttonVariants({ variant: "secondary", className: "mt-6" })}
      >
        {signedIn ? "Go to the dashboard" : "Sign in"}
      </Link>
    </div>
  );
}
