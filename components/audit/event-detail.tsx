import type { ReactNode } from "react";
import { DateTime } from "@/components/ui/date-time";
import type { AuditEventDto } from "@/lib/schemas/audit";

export function EventDetail({ event: e }: { event: AuditEventDto }) {
  const rows: [string, ReactNode, string?][] = [
    ["Event id", e.id, "font-mono"],
    ["Time", <DateTime key="t" value={e.occurredAt} />],
    ["Exact time (UTC)", e.occurredAt, "font-mono"],
    ["Request id", e.requestId ?? "—", "font-mono"],
    ["Entity id", e.entityId ?? "—", "font-mono"],
    ["User agent", e.userAgent ?? "—", "break-all"],
    ["Hash", e.hash, "break-all font-mono"],
  ];
  // The users the event names, by name (the data below keeps their ids, as recorded and hashed).
  const people = Object.entries(e.people);
  if (people.length > 0) {
    rows.splice(2, 0, [
      "People",
      <ul key="p" aria-label="People in this event" className="space-y-0.5">
        {people.map(([id, p]) => (
          <li key={id}>
            <span className="font-medium">{p.name}</span> <span className="text-slate-600">({p.email})</span>{" "}
            <span className="font-mono text-slate-500">{id}</span>
          </li>
        ))}
      </ul>,
    ]);
  }
  return (
    <div>
      <dl className="grid gap-x-6 gap-y-1 text-xs md:grid-cols-[10rem_1fr]">
        {rows.map(([label, value, className]) => (
          <div key={label} className="contents">
            <dt className="font-medium text-slate-600">{label}</dt>
            <dd className={className}>{value}</dd>
          </div>
        ))}
      </dl>
      <pre
        tabIndex={0}
        aria-label="Event data"
        className="mt-2 overflow-x-auto rounded bg-white p-2 text-xs text-slate-800 ring-1 ring-slate-200"
      >
        {JSON.stringify(e.data, null, 2)}
      </pre>
    </div>
  );
}
