import "server-only";

import {
  FINISHED_STATUSES,
  SESSION_STATUSES,
  type SandboxProfile,
  type SessionKind,
  type SessionStatus,
} from "@/lib/server/sandbox/types";

/** Statuses a session may be moved to by `PATCH /v3/session/{id}/update-status/`. */
export const UPDATE_STATUS_TARGETS: readonly SessionStatus[] = ["Approved", "Declined", "Resubmitted"];

/** Statuses from which `update-status` is allowed (didit-api.md §5). */
export const UPDATE_STATUS_ALLOWED_FROM: readonly SessionStatus[] = [
  "Approved",
  "Declined",
  "In Review",
  "Kyc Expired",
  "Abandoned",
  "Resubmitted",
];

/** Finished = Approved, Declined, In Review: the only statuses that can be shared. */
export function isFinished(status: SessionStatus): boolean {
  return FINISHED_STATUSES.includes(status);
}

const UPPER_SNAKE = new Map<SessionStatus, string>(
  SESSION_STATUSES.map((s) => [s, s.toUpperCase().replace(/ /g, "_")]),
);

/** The wire form: KYC always Title Case; KYB UPPER_SNAKE in the recipe profile, Title Case in spec. */
export function renderStatus(kind: SessionKind, status: SessionStatus, profile: SandboxProfile): string {
  if (kind === "business" && profile === "recipe") return UPPER_SNAKE.get(status) ?? status;
  return status;
}

const BY_KEY = new Map<string, SessionStatus>(SESSION_STATUSES.map((s) => [s.toLowerCase(), s]));

/** Accepts either rendering, case-insensitive, `_` = space; null for anything else. */
export function parseStatus(input: unknown): SessionStatus | null {
  if (typeof input !== "string") return null;
  const key = input.trim().replace(/_/g, " ").replace(/\s+/g, " ").toLowerCase();
  return BY_KEY.get(key) ?? null;
}
