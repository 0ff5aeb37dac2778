"use client";

import { Menu } from "lucide-react";
import { lazy, Suspense, useRef, useState } from "react";
import type { NavLink } from "./nav-list";
import type { ShellUser } from "./user-menu";

const loadSheet = () => import("./mobile-nav-sheet").then((m) => ({ default: m.MobileNavSheet }));
const MobileNavSheet = lazy(loadSheet);

/**
 * Below `md`, the header's menu button: it opens the navigation, the account and sign-out in a
 * sheet (Radix dialog, loaded on the first hover, focus or press, as the user menu is). The sheet
 * is open for the page it was opened on, so following any link closes it.
 */
export function MobileNav({ nav, user, pathname }: { nav: NavLink[]; user: ShellUser; pathname: string }) {
  const [openOn, setOpenOn] = useState<string | null>(null);
  const [wanted, setWanted] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const open = openOn === pathname;
  const preload = () => void loadSheet();
  return (
    <>
      <button
        ref={button}
        type="button"
        aria-haspopup="dialog"
        aria-expanded={open}
        onPointerEnter={preload}
        onFocus={preload}
        onClick={() => {
          setWanted(true);
          setOpenOn(pathname);
        }}
        className="-ml-1 flex size-10 items-center justify-center rounded-md text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-brand-500 md:hidden"
      >
        <Menu className="size-5" aria-hidden />
        <span className="sr-only">Menu</span>
      </button>
      {wanted && (
        <Suspense fallback={null}>
          <MobileNavSheet
            open={open}
            onClose={() => setOpenOn(null)}
            returnFocusTo={button}
            nav={nav}
            user={user}
            pathname={pathname}
          />
        </Suspense>
      )}
    </>
  );
}
