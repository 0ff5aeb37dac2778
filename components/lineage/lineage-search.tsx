"use client";

import { Search } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { subjectText } from "@/components/sessions/subject-name";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { ApiError } from "@/lib/client/api-fetch";
import { searchLineage } from "@/lib/client/queries/lineage";
import type { LineageMatchDto } from "@/lib/schemas/lineage";
import { UUID_RE } from "@/lib/ids";

/** A session uuid, number, vendor_data or name → its lineage page (a list when several sessions match). */
export function LineageSearch({ initial = "" }: { initial?: string }) {
  const router = useRouter();
  const id = useId();
  const [q, setQ] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [matches, setMatches] = useState<LineageMatchDto[]>([]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const value = q.trim();
    setMatches([]);
    setMessage(null);
    if (!value) {
      setMessage("Type a session uuid, number or vendor_data.");
      return;
    }
    if (UUID_RE.test(value)) {
      router.push(`/lineage/${value.toLowerCase()}`);
      return;
    }
    setBusy(true);
    try {
      const { matches: found } = await searchLineage(value);
      if (found.length === 1) router.push(`/lineage/${found[0]!.sessionId}`);
      else if (found.length === 0) setMessage(`No session matches “${value}”.`);
      else setMatches(found);
    } catch (error) {
      setMessage(error instanceof ApiError ? error.message : "The search failed. Try again.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="space-y-3">
      <form
        role="search"
        aria-label="Find a session's lineage"
        onSubmit={submit}
        className="flex items-end gap-2"
      >
        <div className="w-full max-w-xl">
          <label htmlFor={id} className="mb-1 block text-sm font-medium text-slate-700">
            Session uuid, number or vendor_data, or a name
          </label>
          <Input
            id={id}
            value={q}
            onChange={(e) => setQ(e.target.value)}
            placeholder="e.g. 1042, customer-77 or Kohler"
          />
        </div>
        <Button type="submit" pending={busy}>
          <Search aria-hidden /> Trace
        </Button>
      </form>
      {message && (
        <p role="status" className="text-sm text-slate-700">
          {message}
        </p>
      )}
      {matches.length > 0 && (
        <div role="status">
          <p className="text-sm text-slate-700">{matches.length} sessions match: pick one.</p>
          <ul className="mt-2 space-y-1 text-sm">
            {matches.map((m) => (
              <li key={m.sessionId}>
                <Link className="text-brand-700 underline" href={`/lineage/${m.sessionId}`}>
                  {m.sessionNumber !== null ? `#${m.sessionNumber}` : m.sessionId.slice(0, 8)} ·{" "}
                  {m.holderName}
                  {subjectText(m.subject) ? ` · ${subjectText(m.subject)}` : ""}
                  {m.vendorData ? ` · ${m.vendorData}` : ""}
                  {m.status ? ` · ${m.status}` : ""}
                </Link>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
