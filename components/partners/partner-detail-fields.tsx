"use client";

import { Copy } from "lucide-react";
import type { ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { toast } from "@/components/ui/sonner";
import type { ApplicationWorkflow } from "@/lib/schemas/applications";

/** A workflow by the name its application gives it, its id on hover; else the id itself. */
export function WorkflowName({ id, workflows }: { id: string | null; workflows: ApplicationWorkflow[] }) {
  if (!id) return <>application default</>;
  const named = workflows.find((w) => w.id === id);
  return named ? <span title={id}>{named.name}</span> : <code className="font-mono text-xs">{id}</code>;
}

export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-600">{label}</dt>
      <dd className="mt-0.5 break-words text-sm text-slate-900">{children}</dd>
    </div>
  );
}

export const none = <span className="text-slate-600">—</span>;

async function copy(value: string, what: string) {
  try {
    await navigator.clipboard.writeText(value);
    toast.success(`${what} copied to the clipboard`);
  } catch {
    toast.error("Could not copy: select the text and copy it by hand");
  }
}

export function CopyValue({ value, label }: { value: string; label: string }) {
  return (
    <span className="flex items-center gap-2">
      <code className="min-w-0 break-all rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-800">
        {value}
      </code>
      <Button
        size="icon"
        variant="ghost"
        className="size-7"
        aria-label={`Copy ${label}`}
        onClick={() => void copy(value, label)}
      >
        <Copy aria-hidden />
      </Button>
    </span>
  );
}
