import type { Sentence as SentenceParts } from "@/lib/audit-sentences";

/** An audit sentence: people by name, their email on hover (and for screen readers, the name alone). */
export function Sentence({ parts }: { parts: SentenceParts }) {
  return (
    <>
      {parts.map((p, i) =>
        typeof p === "string" ? (
          p
        ) : (
          <span
            key={i}
            title={p.person.email ?? undefined}
            className="font-medium underline decoration-slate-300 decoration-dotted underline-offset-2"
          >
            {p.person.name}
          </span>
        ),
      )}
    </>
  );
}
