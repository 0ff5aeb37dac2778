"use client";

import { ShieldCheck } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { MobileNav } from "./mobile-nav";
import { NavList, type NavLink } from "./nav-list";
import { UserMenu, type ShellUser } from "./user-menu";

export type { NavLink } from "./nav-list";

/**
 * The console's one shell: the sidebar from `md` up; below it a menu button in the header opens
 * the same navigation, with the user's account and sign-out, in a sheet.
 */
export function AppShell({ nav, user, children }: { nav: NavLink[]; user: ShellUser; children: ReactNode }) {
  const pathname = usePathname();
  return (
    <div className="flex min-h-full">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-white px-3 py-2 text-sm font-medium text-brand-700 shadow focus:not-sr-only focus:fixed focus:left-3 focus:top-3"
      >
        Skip to content
      </a>
      <aside className="hidden w-60 shrink-0 flex-col border-r border-slate-200 bg-white md:flex">
        <div className="flex items-center gap-2 px-5 py-5">
          <ShieldCheck className="size-6 text-brand-600" aria-hidden />
          <div>
            <Link href="/" className="text-lg font-semibold tracking-tight text-slate-900">
              Handoff
            </Link>
            <p className="text-xs text-slate-600">Reusable KYC/KYB console</p>
          </div>
        </div>
        <NavList nav={nav} pathname={pathname} className="flex-1 px-3" />
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex items-center justify-between gap-2 border-b border-slate-200 bg-white px-3 py-2 sm:gap-4 sm:px-6 sm:py-3">
          <MobileNav nav={nav} user={user} pathname={pathname} />
          <Link
            href="/"
            className="flex items-center gap-1.5 text-base font-semibold tracking-tight text-slate-900 md:hidden"
          >
            <ShieldCheck className="size-5 text-brand-600" aria-hidden />
            Handoff
          </Link>
          <div className="flex-1" />
          <UserMenu user={user} />
        </header>
        <main
          id="main"
          tabIndex={-1}
          className="mx-auto w-full max-w-6xl flex-1 px-4 py-6 focus:outline-none sm:px-6 sm:py-8"
        >
          {children}
        </main>
      </div>
    </div>
  );
}
