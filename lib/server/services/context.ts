import "server-only";
import type { Role } from "@/lib/rbac";
import type { Db } from "@/lib/server/db/types";

export type Actor = {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** Signed in with a one-time password: only the change-password page and route are open. */
  mustChangePassword?: boolean;
  /** The server-side session the request came with (user_sessions.id), when it came with one. */
  sessionId?: string;
};

/** What every service verb receives: the database, who acts, and the clock (injectable in tests). */
export type ServiceContext = {
  db: Db;
  actor: Actor | null;
  now: () => Date;
  requestId: string;
  ip: string | null;
  userAgent: string | null;
};

export function systemContext(db: Db, now: () => Date = () => new Date()): ServiceContext {
  return { db, actor: null, now, requestId: "system", ip: null, userAgent: null };
}
