import "server-only";
import { randomUUID } from "node:crypto";
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

export type ContextInit = {
  actor?: Actor | null;
  /** The request's id (its X-Request-Id); a fresh UUID when not given. */
  requestId?: string;
  ip?: string | null;
  userAgent?: string | null;
  now?: () => Date;
};

/**
 * The one builder of a ServiceContext: route handlers (with the request's id, address and agent),
 * server-rendered pages (an actor, no address) and jobs (`systemContext`) all build it here.
 */
export function createContext(db: Db, init: ContextInit = {}): ServiceContext {
  return {
    db,
    actor: init.actor ?? null,
    now: init.now ?? (() => new Date()),
    requestId: init.requestId ?? randomUUID(),
    ip: init.ip ?? null,
    userAgent: init.userAgent ?? null,
  };
}

/** The context of work nobody asked for in a request: jobs, boot, maintenance. */
export function systemContext(db: Db, now: () => Date = () => new Date()): ServiceContext {
  return createContext(db, { requestId: "system", now });
}
