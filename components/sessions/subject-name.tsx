import type { SessionSubjectDto } from "@/lib/schemas/sessions";
import { cn } from "@/components/ui/cn";

/** What stands for a name removed by retention or erasure. */
export const SUBJECT_REMOVED = "Name removed";
/** A session not mirrored yet (a clone before Didit's webhook, a partner's token before its import). */
export const SUBJECT_UNKNOWN = "Name not known yet";

/** The person's or company's name as text, or null when the viewer may not read names. */
export function subjectText(subject: SessionSubjectDto | undefined): string | null {
  if (!subject) return null;
  if (subject.removed) return SUBJECT_REMOVED;
  return subject.name ?? SUBJECT_UNKNOWN;
}

/** A page heading with whom it is about: "Review of session #12 — Anna Köhler". */
export function withSubject(heading: string, subject: SessionSubjectDto | undefined): string {
  const text = subjectText(subject);
  return text === null ? heading : `${heading} — ${text}`;
}

/**
 * Whom a session is about, wherever one is listed or headed: the name, or why there is none (muted).
 * Renders nothing when the server left the subject out (a role that may not read names).
 */
export function SubjectName({
  subject,
  className,
}: {
  subject: SessionSubjectDto | undefined;
  className?: string;
}) {
  const text = subjectText(subject);
  if (text === null) return null;
  const known = !!subject?.name && !subject.removed;
  return (
    <span
      data-testid="subject-name"
      className={cn(known ? "font-medium text-slate-900" : "italic text-slate-600", className)}
    >
      {text}
    </span>
  );
}
