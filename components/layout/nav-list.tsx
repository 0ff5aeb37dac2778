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
  UserX,
  Users,
  type LucideIcon,
} from "lucide-react";
import Link from "next/link";
// clsx, not cn(): no class conflicts here, and tailwind-merge stays off every page's first load.
import { clsx } from "clsx";

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

/** The console's "Main" navigation: the sidebar's on wide screens, the menu sheet's on narrow ones. */
export function NavList({
  nav,
  pathname,
  onNavigate,
  className,
}: {
  nav: NavLink[];
  pathname: string;
  /** Called when a link is followed (the sheet closes, also for the page already shown). */
  onNavigate?: () => void;
  className?: string;
}) {
  return (
    <nav aria-label="Main" className={className}>
      <ul className="space-y-1">
        {nav.map((item) => {
          const Icon = ICONS[item.href] ?? Circle;
          const active = isActive(pathname, item.href);
          return (
            <li key={item.href}>
              <Link
                href={item.href}
                aria-current={active ? "page" : undefined}
                onClick={onNavigate}
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
  );
}
