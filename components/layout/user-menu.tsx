"use client";

import { ChevronDown, LogOut } from "lucide-react";
import { signOut } from "next-auth/react";
import { useState } from "react";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";

export type ShellUser = { name: string; email: string; roleLabel: string };

export function UserMenu({ user }: { user: ShellUser }) {
  const [leaving, setLeaving] = useState(false);
  return (
    <DropdownMenu>
      <DropdownMenuTrigger className="flex items-center gap-3 rounded-md px-2 py-1.5 text-left hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-brand-500">
        <span
          className="flex size-8 items-center justify-center rounded-full bg-brand-100 text-sm font-semibold text-brand-700"
          aria-hidden
        >
          {user.name.slice(0, 1).toUpperCase()}
        </span>
        <span className="hidden sm:block">
          <span className="block text-sm font-medium text-slate-800">{user.name}</span>
          <span className="block text-xs text-slate-600">{user.roleLabel}</span>
        </span>
        <ChevronDown className="size-4 text-slate-500" aria-hidden />
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" className="w-64">
        <DropdownMenuLabel className="font-normal">
          Signed in as <span className="font-medium text-slate-800">{user.email}</span>
        </DropdownMenuLabel>
        <DropdownMenuSeparator />
        <DropdownMenuItem
          disabled={leaving}
          onSelect={() => {
            setLeaving(true);
            void signOut({ redirectTo: "/login" });
          }}
        >
          <LogOut aria-hidden />
          {leaving ? "Signing out…" : "Sign out"}
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
