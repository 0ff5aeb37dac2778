"use client";

import { Check, UserCog } from "lucide-react";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Command, CommandEmpty, CommandInput, CommandItem, CommandList } from "@/components/ui/command";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@/components/ui/dialog";
import { Skeleton } from "@/components/ui/skeleton";
import { toast } from "@/components/ui/sonner";
import { useAssignImport, useReviewers } from "@/lib/client/queries/imports";
import type { UserRefDto } from "@/lib/schemas/reviews";

/**
 * "Reassign…": picks another active officer for a review (cmdk list, searchable by name or email),
 * the current assignee marked, then Reassign confirms. `sessionName` tells screen readers which
 * review a queue row's button is for.
 */
export function ReassignDialog({
  importId,
  sessionName,
  assignee,
  actorId,
  srSuffix,
}: {
  importId: string;
  sessionName: string;
  assignee: UserRefDto | null;
  /** The signed-in officer, marked "(you)" (the queue does not know it: then nobody is). */
  actorId?: string;
  srSuffix?: string;
}) {
  const [open, setOpen] = useState(false);
  const [chosen, setChosen] = useState<string | null>(null);
  const reviewers = useReviewers(open);
  const assign = useAssignImport(importId);
  const target = reviewers.data?.items.find((u) => u.id === chosen) ?? null;
  const unchanged = !target || target.id === assignee?.id;

  function change(next: boolean) {
    if (assign.isPending) return;
    setOpen(next);
    if (next) {
      setChosen(null);
      assign.reset();
    }
  }

  function submit() {
    if (!target || unchanged) return;
    assign.mutate(
      { assigneeId: target.id },
      {
        onSuccess: () => {
          toast.success(
            actorId && target.id === actorId
              ? `Session ${sessionName} is assigned to you.`
              : `Session ${sessionName} is assigned to ${target.name}.`,
          );
          setOpen(false);
        },
      },
    );
  }

  return (
    <Dialog open={open} onOpenChange={change}>
      <DialogTrigger asChild>
        <Button size="sm" variant="ghost">
          <UserCog aria-hidden /> Reassign…{srSuffix && <span className="sr-only">{srSuffix}</span>}
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Reassign session {sessionName}</DialogTitle>
          <DialogDescription>
            {assignee ? `Assigned to ${assignee.name} now.` : "Nobody is assigned now."} Choose the compliance
            officer who reviews it.
          </DialogDescription>
        </DialogHeader>
        {reviewers.isPending ? (
          <div className="space-y-2" aria-busy="true" aria-label="Loading the officers">
            <Skeleton className="h-8 w-full" />
            <Skeleton className="h-8 w-full" />
          </div>
        ) : reviewers.isError ? (
          <Alert title="The officers could not be loaded">{reviewers.error.message}</Alert>
        ) : (
          <Command label="Search officers" className="rounded-md border border-slate-200">
            <CommandInput placeholder="Search by name or email" />
            <CommandList label="Compliance officers">
              <CommandEmpty>No active officer matches.</CommandEmpty>
              {reviewers.data.items.map((u) => {
                const current = u.id === assignee?.id;
                return (
                  <CommandItem
                    key={u.id}
                    value={u.id}
                    keywords={[u.name, u.email]}
                    onSelect={() => setChosen(u.id)}
                    aria-checked={chosen === u.id}
                    className={chosen === u.id ? "bg-brand-50 font-medium text-brand-700" : undefined}
                  >
                    <Check aria-hidden className={chosen === u.id ? "opacity-100" : "opacity-0"} />
                    <span className="min-w-0 flex-1">
                      <span className="block truncate">
                        {u.name}
                        {actorId && u.id === actorId && " (you)"}
                        {current && <span className="text-slate-600"> — current assignee</span>}
                      </span>
                      <span className="block truncate text-xs text-slate-600">{u.email}</span>
                    </span>
                  </CommandItem>
                );
              })}
            </CommandList>
          </Command>
        )}
        {assign.isError && <Alert title="Not reassigned">{assign.error.message}</Alert>}
        <DialogFooter>
          <Button variant="secondary" onClick={() => change(false)} disabled={assign.isPending}>
            Cancel
          </Button>
          <Button pending={assign.isPending} disabled={unchanged} onClick={submit}>
            {target && !unchanged ? `Reassign to ${target.name}` : "Reassign"}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
