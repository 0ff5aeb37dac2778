"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { cn } from "@/components/ui/cn";
import { UserMenu } from "./user-menu";

export type NavLink = { href: string; label: string };

function isActive(pathname: string, href: string) {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}

export function AppShell({
  nav,
  user,
  children,
}: {
  nav: NavLink[];
  user: { name: string; email: string; roleLabel: string };
  children: ReactNode;
}) {
  const pathname = usePathname();
  return (
    <div className="flex min-h-full">
      <aside className="hidden w-60 shrink-0 flex-col border-r border-slate-200 bg-white md:flex">
        <div className="px-5 py-5">
          <Link href="/" className="text-lg font-semibold tracking-tight text-slate-900">
            Handoff
          </Link>
          <p className="text-xs text-slate-500">Reusable KYC/KYB console</p>
        </div>
        <nav aria-label="Main" className="flex-1 px-3">
          <ul className="space-y-1">
            {nav.map((item) => (
              <li key={item.href}>
                <Link
                  href={item.href}
                  aria-current={isActive(pathname, item.href) ? "page" : undefined}
                  className={cn(
                    "block rounded-md px-3 py-2 text-sm font-medium",
                    isActive(pathname, item.href)
                      ? "bg-brand-50 text-brand-700"
                      : "text-slate-700 hover:bg-slate-100",
                  )}
                >
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex items-center justify-between gap-4 border-b border-slate-200 bg-white px-6 py-3">
          <nav aria-label="Main (compact)" className="flex gap-3 md:hidden">
            {nav.map((item) => (
              <Link key={item.href} href={item.href} className="text-sm text-slate-700">
                {item.label}
              </Link>
            ))}
          </nav>
          <div className="flex-1" />
          <UserMenu user={user} />
        </header>
        <main className="mx-auto w-full max-w-6xl flex-1 px-6 py-8">{children}</main>
      </div>
    </div>
  );
}
