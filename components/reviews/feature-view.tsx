"use client";

import { useState } from "react";
import { checkTone } from "@/components/sessions/format";
import { Badge } from "@/components/ui/badge";
import { DateTime } from "@/components/ui/date-time";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { formatDate } from "@/lib/format";
import { humanKey, isMediaUrl, scalarText } from "./format";

type Json = unknown;
type Obj = Record<string, Json>;

const isObject = (v: Json): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isScalar = (v: Json) => v === null || ["string", "number", "boolean"].includes(typeof v);

/** Keys every check carries that the section shows in its own way (or that mean nothing to a reviewer). */
const SHOWN_APART = new Set(["node_id", "status", "warnings"]);

type Warning = {
  risk?: unknown;
  short_description?: unknown;
  long_description?: unknown;
  log_type?: unknown;
};

function Warnings({ warnings }: { warnings: Json }) {
  if (!Array.isArray(warnings) || warnings.length === 0) return null;
  return (
    <ul className="flex flex-wrap gap-1" aria-label="Warnings">
      {(warnings as Warning[]).map((w, i) => (
        <li key={i}>
          <Badge
            tone={w.log_type === "error" ? "danger" : w.log_type === "information" ? "neutral" : "warning"}
            title={typeof w.long_description === "string" ? w.long_description : undefined}
          >
            {typeof w.short_description === "string" ? w.short_description : scalarText(w.risk)}
          </Badge>
        </li>
      ))}
    </ul>
  );
}

/** A thumbnail that opens the image larger; the image comes through our authenticated media route. */
function Thumbnail({ src, label }: { src: string; label: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        className="group block rounded-md border border-slate-200 bg-slate-50 p-1 text-left hover:border-brand-500 focus-visible:outline-2 focus-visible:outline-brand-500"
        aria-label={`${label}: open larger`}
      >
        {/* eslint-disable-next-line @next/next/no-img-element -- an authenticated route, not a static asset */}
        <img src={src} alt="" loading="lazy" className="h-24 w-32 rounded object-cover" />
        <span className="mt-1 block text-xs text-slate-600 group-hover:text-slate-900">{label}</span>
      </button>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent className="max-w-3xl">
          <DialogHeader>
            <DialogTitle>{label}</DialogTitle>
            <DialogDescription>As Didit holds it, through our key.</DialogDescription>
          </DialogHeader>
          {/* eslint-disable-next-line @next/next/no-img-element -- an authenticated route, not a static asset */}
          <img src={src} alt={label} className="max-h-[70vh] w-full rounded object-contain" />
        </DialogContent>
      </Dialog>
    </>
  );
}

function Images({ entries }: { entries: [string, string][] }) {
  if (entries.length === 0) return null;
  return (
    <div className="flex flex-wrap gap-2">
      {entries.map(([key, src]) => (
        <Thumbnail key={key} src={src} label={humanKey(key)} />
      ))}
    </div>
  );
}

/** Fields a reviewer looks for first (who, which document, the scores); the rest keep Didit's order. */
const FIRST = [
  "full_name",
  "company_name",
  "entity_name",
  "name",
  "first_name",
  "last_name",
  "role",
  "document_type",
  "document_number",
  "date_of_birth",
  "age",
  "gender",
  "nationality",
  "date_of_issue",
  "expiration_date",
  "issuing_state_name",
  "issuing_state",
  "score",
  "match_score",
  "total_hits",
  "hits",
];
const rank = (key: string) => {
  const i = FIRST.indexOf(key);
  return i === -1 ? FIRST.length : i;
};

/** Key/value rows for an object: scalars inline, nested objects and lists indented below their key. */
export function ValueRows({ value, depth = 0 }: { value: Obj; depth?: number }) {
  const entries = Object.entries(value).filter(([k]) => !(depth === 0 && SHOWN_APART.has(k)));
  const images = entries.filter((e): e is [string, string] => isMediaUrl(e[1]));
  const rest = entries.filter(([, v]) => !isMediaUrl(v)).sort(([a], [b]) => rank(a) - rank(b));
  return (
    <div className="space-y-2">
      <Images entries={images} />
      {rest.length > 0 && (
        <dl className="grid grid-cols-[minmax(6rem,9rem)_minmax(0,1fr)] gap-x-3 gap-y-1 text-sm">
          {rest.map(([key, v]) => (
            <Row key={key} label={humanKey(key)} value={v} depth={depth} />
          ))}
        </dl>
      )}
    </div>
  );
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const ISO_MOMENT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function Scalar({ label, value }: { label: string; value: Json }) {
  if (label === "Status" && typeof value === "string") return <Badge tone={checkTone(value)}>{value}</Badge>;
  if (typeof value === "string" && ISO_MOMENT.test(value)) return <DateTime value={value} />;
  // Dates of birth, issue and expiry: the console's day format, not Didit's 1990-01-31.
  if (typeof value === "string" && ISO_DAY.test(value) && formatDate(value) !== "—") {
    return <time dateTime={value}>{formatDate(value)}</time>;
  }
  return <span className="break-words">{scalarText(value)}</span>;
}

function Row({ label, value, depth }: { label: string; value: Json; depth: number }) {
  const nested = isObject(value) || (Array.isArray(value) && value.length > 0 && !value.every(isScalar));
  if (!nested) {
    return (
      <div className="contents">
        <dt className="text-slate-600">{label}</dt>
        <dd className="min-w-0 text-slate-900">
          {Array.isArray(value) ? (
            value.length === 0 ? (
              <span className="text-slate-600">None</span>
            ) : (
              <span className="break-words">{value.map(scalarText).join(", ")}</span>
            )
          ) : (
            <Scalar label={label} value={value} />
          )}
        </dd>
      </div>
    );
  }
  // Nested objects and lists of objects (an address, AML hits, key people) take the full width below their name.
  return (
    <div className="col-span-2 min-w-0">
      <dt className="text-slate-600">
        {label}
        {Array.isArray(value) && <span className="text-slate-500"> ({value.length})</span>}
      </dt>
      <dd className="mt-1 min-w-0 border-l-2 border-slate-200 pl-3">
        {Array.isArray(value) ? (
          <ol className="space-y-2">
            {value.map((v, i) => (
              <li key={i} className="rounded border border-slate-200 bg-slate-50 p-2">
                {isObject(v) ? <NestedObject value={v} depth={depth + 1} /> : scalarText(v)}
              </li>
            ))}
          </ol>
        ) : (
          <NestedObject value={value as Obj} depth={depth + 1} />
        )}
      </dd>
    </div>
  );
}

/** A nested object (an AML hit, a key person with its own KYC): its status and warnings first. */
function NestedObject({ value, depth }: { value: Obj; depth: number }) {
  const status = typeof value.status === "string" ? value.status : null;
  return (
    <div className="space-y-1.5">
      {(status || Array.isArray(value.warnings)) && (
        <div className="flex flex-wrap items-center gap-1.5">
          {status && <Badge tone={checkTone(status)}>{status}</Badge>}
          <Warnings warnings={value.warnings} />
        </div>
      )}
      <ValueRows
        value={Object.fromEntries(Object.entries(value).filter(([k]) => k !== "status" && k !== "warnings"))}
        depth={depth}
      />
    </div>
  );
}

/** One feature array (`id_verifications`, `key_people_checks`…): each check with its status, warnings, images and fields. */
export function FeatureSection({ feature, checks }: { feature: string; checks: Record<string, unknown>[] }) {
  const title = humanKey(feature);
  const headingId = `feature-${feature}`;
  return (
    <section
      aria-labelledby={headingId}
      className="space-y-2 border-t border-slate-100 pt-3 first:border-t-0 first:pt-0"
    >
      <h3 id={headingId} className="text-sm font-semibold text-slate-800">
        {title} <span className="font-normal text-slate-600">({checks.length})</span>
      </h3>
      {checks.map((check, i) => (
        <div key={i} className="space-y-2 rounded-md border border-slate-200 p-3">
          <div className="flex flex-wrap items-center gap-1.5">
            {typeof check.status === "string" && <Badge tone={checkTone(check.status)}>{check.status}</Badge>}
            <Warnings warnings={check.warnings} />
          </div>
          <ValueRows value={check} />
        </div>
      ))}
    </section>
  );
}
