"use client";

import {
  AppWindow,
  BellRing,
  ChartColumn,
  Circle,
  ClipboardCheck,
  Handshake,
  Inbox,
  LayoutDashboard,
  ScanSearch,
  ScrollText,
  Share2,
  ShieldCheck,
  UserX,
  Users,
  type LucideIcon,
} from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
// clsx, not cn(): no class conflicts here, and tailwind-merge stays off every page's first load.
import { clsx } from "clsx";
import { UserMenu, type ShellUser } from "./user-menu";

export type NavLink = { href: string; label: string };

const ICONS: Record<string, LucideIcon> = {
  "/": LayoutDashboard,
  "/sessions": ScanSearch,
  "/shares": Share2,
  "/inbox": Inbox,
  "/reviews": ClipboardCheck,
  "/recalls": BellRing,
  "/partners": Handshake,
  "/analytics": ChartColumn,
  "/applications": AppWindow,
  "/audit": ScrollText,
  "/admin/users": Users,
  "/erasure": UserX,
};

function isActive(pathname: string, href: string) {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}

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
        <nav aria-label="Main" className="flex-1 px-3">
          <ul className="space-y-1">
            {nav.map((item) => {
              const Icon = ICONS[item.href] ?? Circle;
              const active = isActive(pathname, item.href);
              return (
                <li key={item.href}>
                  <Link
                    href={item.href}
                    aria-current={active ? "page" : undefined}
                    className={clsx(
                      "flex items-center gap-2.5 rounded-md px-3 py-2 text-sm font-medium",
                      active ? "bg-brand-50 text-brand-700" : "text-slate-700 hover:bg-slate-100",
                    )}
                  >
                    <Icon className="size-4 shrink-0" aria-hidden />
                    {item.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex items-center justify-between gap-4 border-b border-slate-200 bg-white px-6 py-3">
          <nav aria-label="Main (compact)" className="flex gap-3 md:hidden">
            {nav.map((item) => (
              <Link
                key={item.href}
                href={item.href}
                aria-current={isActive(pathname, item.href) ? "page" : undefined}
                className="text-sm text-slate-700 aria-[current=page]:font-semibold aria-[current=page]:text-brand-700"
              >
                {item.label}
              </Link>
            ))}
          </nav>
          <div className="flex-1" />
          <UserMenu user={user} />
        </header>
        <main
          id="main"
          tabIndex={-1}
          className="mx-auto w-full max-w-6xl flex-1 px-6 py-8 focus:outline-none"
        >
          {children}
        </main>
      </div>
    </div>
  );
}
