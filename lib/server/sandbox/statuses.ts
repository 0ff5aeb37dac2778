import "server-only";

import {
  FINISHED_STATUSES,
  KYB_RECIPE_STATUSES,
  SESSION_STATUSES,
  type SessionKind,
  type SessionStatus,
  type WireStatus,
} from "@/lib/server/didit-wire";
import type { SandboxProfile } from "@/lib/server/sandbox/types";

/** Finished = Approved, Declined, In Review: the only statuses that can be shared. */
export function isFinished(status: SessionStatus): boolean {
  return (FINISHED_STATUSES as readonly SessionStatus[]).includes(status);
}

const UPPER_SNAKE = new Map<SessionStatus, WireStatus>(
  SESSION_STATUSES.map((s, i) => [s, KYB_RECIPE_STATUSES[i]!]),
);

/** The wire form: KYC always Title Case; KYB UPPER_SNAKE in the recipe profile, Title Case in spec. */
export function renderStatus(kind: SessionKind, status: SessionStatus, profile: SandboxProfile): WireStatus {
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
