import type { Role } from "@/lib/rbac";

declare module "@auth/core/jwt" {
  interface JWT {
    uid?: string;
    /** The server-side session (user_sessions.id): the cookie is honoured only while it is live. */
    sid?: string;
    role?: Role;
    /** Refreshed from the database on every session read; the server never trusts it. */
    mustChangePassword?: boolean;
  }
}

declare module "next-auth" {
  interface User {
    role?: Role;
    sid?: string;
  }
  interface Session {
    user: { id: string; role: Role; email: string; name: string; mustChangePassword: boolean };
  }
}
