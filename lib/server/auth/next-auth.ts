import "server-only";
import { randomUUID } from "node:crypto";
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { getEnv } from "@/lib/env";
import { loginRequestSchema } from "@/lib/schemas/users";
import { getDb } from "@/lib/server/db/client";
import { clientIp, userAgent } from "@/lib/server/http/request";
import { roleFromClaim } from "./oidc";
import { getLogger } from "@/lib/server/logger";
import { authenticate, authenticateOidc, loadActiveUser, recordLogout } from "@/lib/server/services/auth";
import type { ServiceContext } from "@/lib/server/services/context";

class InvalidLogin extends CredentialsSignin {
  code = "invalid";
}
class LockedLogin extends CredentialsSignin {
  code = "locked";
}

async function contextFor(headers: Headers | undefined): Promise<ServiceContext> {
  return {
    db: await getDb(),
    actor: null,
    now: () => new Date(),
    requestId: randomUUID(),
    ip: headers ? clientIp(headers) : null,
    userAgent: headers ? userAgent(headers) : null,
  };
}

function config(): NextAuthConfig {
  const env = getEnv();
  const log = getLogger().child({ component: "auth" });
  const providers: NextAuthConfig["providers"] = [
    Credentials({
      credentials: {
        email: { label: "Email", type: "email" },
        password: { label: "Password", type: "password" },
      },
      async authorize(credentials, request) {
        const parsed = loginRequestSchema.safeParse(credentials);
        if (!parsed.success) throw new InvalidLogin();
        const ctx = await contextFor(request?.headers);
        const outcome = await authenticate(ctx, parsed.data);
        if (!outcome.ok) throw outcome.reason === "locked" ? new LockedLogin() : new InvalidLogin();
        return {
          id: outcome.user.id,
          email: outcome.user.email,
          name: outcome.user.name,
          role: outcome.user.role,
        };
      },
    }),
  ];
  if (env.oidc) {
    providers.push({
      id: "oidc",
      name: env.AUTH_OIDC_NAME,
      type: "oidc",
      issuer: env.oidc.issuer,
      clientId: env.oidc.clientId,
      clientSecret: env.oidc.clientSecret,
      checks: ["pkce", "state", "nonce"],
    });
  }
  return {
    secret: env.AUTH_SECRET,
    trustHost: true,
    session: { strategy: "jwt", maxAge: env.AUTH_SESSION_MAX_AGE },
    pages: { signIn: "/login", error: "/login" },
    providers,
    logger: {
      error: (error) => {
        if ((error as { type?: string }).type === "CredentialsSignin") return;
        log.error({ err: error }, "auth error");
      },
      warn: (code) => log.warn({ code }, "auth warning"),
      debug: () => undefined,
    },
    callbacks: {
      async signIn({ account, profile, user }) {
        if (account?.provider !== "oidc") return true;
        const role = roleFromClaim(profile as Record<string, unknown> | undefined, env.AUTH_OIDC_ROLE_CLAIM);
        const email = typeof profile?.email === "string" ? profile.email : null;
        if (!role || !email || !account.providerAccountId) {
          log.warn(
            { hasRole: Boolean(role), hasEmail: Boolean(email) },
            "oidc login refused: missing role or email claim",
          );
          return false;
        }
        try {
          const actor = await authenticateOidc(await contextFor(undefined), {
            subject: account.providerAccountId,
            email,
            name: (typeof profile?.name === "string" && profile.name) || email,
            role,
          });
          user.id = actor.id;
          user.role = actor.role;
          return true;
        } catch {
          return false;
        }
      },
      jwt({ token, user }) {
        if (user?.id) {
          token.uid = user.id;
          token.role = user.role;
        }
        return token;
      },
      async session({ session, token }) {
        // The role shown is the database's current one, not the one in the token.
        const current = token.uid ? await loadActiveUser({ db: await getDb() }, token.uid) : null;
        if (current) {
          session.user.id = current.id;
          session.user.role = current.role;
          session.user.name = current.name;
          session.user.email = current.email;
        }
        return session;
      },
    },
    events: {
      async signOut(message) {
        const token = "token" in message ? message.token : null;
        if (!token?.uid || typeof token.email !== "string") return;
        await recordLogout(await contextFor(undefined), { id: token.uid, email: token.email });
      },
    },
  };
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => config());
