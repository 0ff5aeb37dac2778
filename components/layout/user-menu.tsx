"use client";

import { ChevronDown } from "lucide-react";
import { lazy, Suspense, useState, type ComponentProps } from "react";

export type ShellUser = { name: string; email: string; roleLabel: string };

export function UserMenuButton({ user, ...props }: { user: ShellUser } & ComponentProps<"button">) {
  return (
    <button
      type="button"
      aria-haspopup="menu"
      className="flex items-center gap-3 rounded-md px-2 py-1.5 text-left hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-brand-500"
      {...props}
    >
      <span
        className="flex size-8 items-center justify-center rounded-full bg-brand-100 text-sm font-semibold text-brand-700"
        aria-hidden
      >
        {user.name.slice(0, 1).toUpperCase()}
      </span>
      {/* Read on a phone too, where only the initial shows: the button's name is the user. */}
      <span className="sr-only sm:not-sr-only sm:block">
        <span className="block text-sm font-medium text-slate-800">{user.name}</span>
        <span className="block text-xs text-slate-600">{user.roleLabel}</span>
      </span>
      <ChevronDown className="size-4 text-slate-500" aria-hidden />
    </button>
  );
}

const loadDropdown = () => import("./user-menu-dropdown").then((m) => ({ default: m.UserMenuDropdown }));
const UserMenuDropdown = lazy(loadDropdown);

/**
 * The header's user menu. Every console page shows it, so the menu (Radix, with its positioning
 * engine) is loaded only when the button is first hovered, focused or pressed; the plain button
 * stands in until then and a press opens the menu as soon as it has loaded.
 */
export function UserMenu({ user }: { user: ShellUser }) {
  const [open, setOpen] = useState(false);
  if (open) {
    return (
      <Suspense fallback={<UserMenuButton user={user} aria-expanded aria-busy />}>
        <UserMenuDropdown user={user} defaultOpen />
      </Suspense>
    );
  }
  const preload = () => void loadDropdown();
  return (
    <UserMenuButton
      user={user}
      aria-expanded={false}
      onPointerEnter={preload}
      onFocus={preload}
      onClick={() => setOpen(true)}
      onKeyDown={(event) => {
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
          event.preventDefault();
          setOpen(true);
        }
      }}
    />
  );
}
