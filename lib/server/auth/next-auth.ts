import "server-only";
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { getEnv } from "@/lib/env";
import { loginFormSchema } from "@/lib/schemas/users";
import { getDb } from "@/lib/server/db/client";
import { clientIp, userAgent } from "@/lib/server/http/request";
import { roleFromClaim } from "./oidc";
import { getLogger } from "@/lib/server/logger";
import { authenticate, authenticateOidc, endSession, loadSessionActor } from "@/lib/server/services/access";
import { createContext, type ServiceContext } from "@/lib/server/kernel";
import { tokenSessionRef } from "./session";

class InvalidLogin extends CredentialsSignin {
  code = "invalid";
}
class LockedLogin extends CredentialsSignin {
  code = "locked";
}
class DisabledLogin extends CredentialsSignin {
  code = "disabled";
}
/** An empty field: nothing was tried, so nothing is audited or counted. */
class EmptyLogin extends CredentialsSignin {
  code = "empty";
}
const REFUSALS = { invalid: InvalidLogin, locked: LockedLogin, disabled: DisabledLogin } as const;

async function contextFor(headers: Headers | undefined): Promise<ServiceContext> {
  return createContext(await getDb(), {
    ip: headers ? clientIp(headers) : null,
    userAgent: headers ? userAgent(headers) : null,
  });
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
        const input = {
          email: typeof credentials?.email === "string" ? credentials.email : "",
          password: typeof credentials?.password === "string" ? credentials.password : "",
        };
        if (!loginFormSchema.safeParse(input).success) throw new EmptyLogin();
        const outcome = await authenticate(await contextFor(request?.headers), input);
        if (!outcome.ok) throw new REFUSALS[outcome.reason]();
        return {
          id: outcome.user.id,
          email: outcome.user.email,
          name: outcome.user.name,
          role: outcome.user.role,
          sid: outcome.sessionId,
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
          const { user: actor, sessionId } = await authenticateOidc(await contextFor(undefined), {
            subject: account.providerAccountId,
            email,
            name: (typeof profile?.name === "string" && profile.name) || email,
            role,
          });
          user.id = actor.id;
          user.role = actor.role;
          user.sid = sessionId;
          return true;
        } catch {
          return false;
        }
      },
      async jwt({ token, user }) {
        if (user?.id) {
          token.uid = user.id;
          token.sid = user.sid;
          token.role = user.role;
          return token;
        }
        // Every later read of the session checks its server-side row with the user, in one query;
        // an ended session answers "no session" and Auth.js clears the cookie.
        const ref = tokenSessionRef(token);
        const current = ref ? await loadSessionActor(await getDb(), ref, new Date()) : null;
        if (!current) return null;
        token.role = current.role;
        token.name = current.name;
        token.email = current.email;
        token.mustChangePassword = current.mustChangePassword ?? false;
        return token;
      },
      session({ session, token }) {
        // The claims were refreshed from the database by the jwt callback just before this one.
        session.user.id = token.uid!;
        session.user.role = token.role!;
        session.user.name = token.name ?? "";
        session.user.email = token.email ?? "";
        session.user.mustChangePassword = token.mustChangePassword ?? false;
        return session;
      },
    },
    events: {
      async signOut(message) {
        const ref = tokenSessionRef("token" in message ? message.token : null);
        if (ref) await endSession(await contextFor(undefined), ref);
      },
    },
  };
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => config());
