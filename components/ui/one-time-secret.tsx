"use client";

import { Copy } from "lucide-react";
import { Button } from "./button";
import { DialogFooter } from "./dialog";
import { Input } from "./input";
import { Label } from "./label";
import { toast } from "./sonner";
import { Textarea } from "./textarea";

/**
 * The body of a dialog that shows a secret once (a password, a webhook secret, a share token): the
 * value in a read-only field that selects itself on focus, then Copy and Done. The dialog around it
 * says what the secret is for and that it is shown only this once.
 */
export function OneTimeSecret({
  id,
  label,
  value,
  noun,
  copyLabel = "Copy",
  rows,
  className,
  onDone,
}: {
  id: string;
  label: string;
  value: string;
  /** What the secret is called in the copy notices, e.g. "token" ("Token copied to the clipboard"). */
  noun: string;
  copyLabel?: string;
  /** A multi-line field of this many rows (a long token) instead of a one-line input. */
  rows?: number;
  className?: string;
  onDone: () => void;
}) {
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      toast.success(`${noun.charAt(0).toUpperCase()}${noun.slice(1)} copied to the clipboard`);
    } catch {
      toast.error(`Could not copy: select the ${noun} and copy it by hand`);
    }
  }
  return (
    <>
      <div className="grid gap-1.5">
        <Label htmlFor={id}>{label}</Label>
        {rows ? (
          <Textarea
            id={id}
            readOnly
            value={value}
            rows={rows}
            spellCheck={false}
            autoComplete="off"
            onFocus={(event) => event.currentTarget.select()}
            className={className}
          />
        ) : (
          <Input
            id={id}
            readOnly
            value={value}
            onFocus={(event) => event.currentTarget.select()}
            className={className}
          />
        )}
      </div>
      <DialogFooter>
        <Button variant="secondary" onClick={() => void copy()}>
          <Copy aria-hidden /> {copyLabel}
        </Button>
        <Button onClick={onDone}>Done</Button>
      </DialogFooter>
    </>
  );
}
