"use client";

import { KeyRound, LogOut, ShieldCheck } from "lucide-react";
import Link from "next/link";
import { signOut } from "next-auth/react";
import { useState, type RefObject } from "react";
import { Sheet, SheetContent, SheetDescription, SheetTitle } from "@/components/ui/sheet";
import { NavList, type NavLink } from "./nav-list";
import type { ShellUser } from "./user-menu";

const ITEM =
  "flex w-full items-center gap-2.5 rounded-md px-3 py-2 text-left text-sm font-medium text-slate-700 hover:bg-slate-100 disabled:opacity-60 [&_svg]:size-4 [&_svg]:shrink-0";

/** The narrow-screen menu: the role's navigation, then who is signed in, the password and sign-out. */
export function MobileNavSheet({
  open,
  onClose,
  returnFocusTo,
  nav,
  user,
  pathname,
}: {
  open: boolean;
  onClose: () => void;
  returnFocusTo: RefObject<HTMLButtonElement | null>;
  nav: NavLink[];
  user: ShellUser;
  pathname: string;
}) {
  const [leaving, setLeaving] = useState(false);
  return (
    <Sheet open={open} onOpenChange={(next) => !next && onClose()}>
      <SheetContent
        side="left"
        onCloseAutoFocus={(event) => {
          event.preventDefault();
          returnFocusTo.current?.focus();
        }}
      >
        <div className="flex items-center gap-2 px-5 py-5 pr-12">
          <ShieldCheck className="size-6 shrink-0 text-brand-600" aria-hidden />
          <div>
            <SheetTitle className="sr-only">Menu</SheetTitle>
            <p className="text-lg font-semibold tracking-tight text-slate-900">Handoff</p>
            <SheetDescription>Reusable KYC/KYB console</SheetDescription>
          </div>
        </div>
        <NavList nav={nav} pathname={pathname} onNavigate={onClose} className="flex-1 px-3" />
        <section aria-label="Account" className="mt-4 border-t border-slate-200 px-3 py-4">
          <div className="flex items-center gap-3 px-3 pb-3">
            <span
              className="flex size-8 shrink-0 items-center justify-center rounded-full bg-brand-100 text-sm font-semibold text-brand-700"
              aria-hidden
            >
              {user.name.slice(0, 1).toUpperCase()}
            </span>
            <div className="min-w-0">
              <p className="truncate font-medium text-slate-800">{user.name}</p>
              <p className="truncate text-xs text-slate-600">
                {user.roleLabel} · {user.email}
              </p>
            </div>
          </div>
          <ul className="space-y-1">
            <li>
              <Link href="/account/password" onClick={onClose} className={ITEM}>
                <KeyRound aria-hidden />
                Change password
              </Link>
            </li>
            <li>
              <button
                type="button"
                disabled={leaving}
                className={ITEM}
                onClick={() => {
                  setLeaving(true);
                  void signOut({ redirectTo: "/login" });
                }}
              >
                <LogOut aria-hidden />
                {leaving ? "Signing out…" : "Sign out"}
              </button>
            </li>
          </ul>
        </section>
      </SheetContent>
    </Sheet>
  );
}
