import "server-only";
import { getEnv, nextServerOrigin } from "@/lib/env";

/**
 * This console's own origin, as Didit (webhook destinations) and partners (inbox URLs) reach it, and
 * the Didit base URL. Configured: HANDOFF_PUBLIC_URL (else AUTH_URL). Otherwise the address the HTTP
 * server actually listens on, noted by the server hooks (server-hooks.ts) on `listening` and on
 * every request, so `next start -p 3900` needs no extra setting; before the server listens (and
 * outside a server: scripts, tests) it is unknown, and work that needs it waits and retries.
 */
const state = globalThis as unknown as { __handoffListen?: { host: string; port: number } };

export function noteListenAddress(address: string | undefined, port: number | undefined): void {
  if (!address || !port || state.__handoffListen) return;
  const wildcard = address === "::" || address === "0.0.0.0" || address === "::ffff:0.0.0.0";
  const plain = address.startsWith("::ffff:") ? address.slice(7) : address;
  const host = wildcard ? "localhost" : plain.includes(":") ? `[${plain}]` : plain;
  state.__handoffListen = { host, port };
}

/** For tests: forget (or set) the noted address. */
export function setListenAddressForTests(value: { host: string; port: number } | null): void {
  if (value) state.__handoffListen = value;
  else delete state.__handoffListen;
}

export class NotListeningError extends Error {
  constructor() {
    super("This console's own URL is not known yet (the server is not listening); set HANDOFF_PUBLIC_URL");
    this.name = "NotListeningError";
  }
}

/** The console's public origin, no trailing slash, or null while unknown. */
export function publicOrigin(): string | null {
  const env = getEnv();
  const configured = env.HANDOFF_PUBLIC_URL ?? env.AUTH_URL;
  if (configured) return configured.replace(/\/+$/, "");
  const listen = state.__handoffListen;
  if (listen) return `http://${listen.host}:${listen.port}`;
  // `next start` may be listening before the hooks were installed (no `listening` event seen, and
  // no request yet): Next's own record of its origin.
  return nextServerOrigin();
}

/** Like publicOrigin, but throws NotListeningError while unknown. */
export function requirePublicOrigin(): string {
  const origin = publicOrigin();
  if (!origin) throw new NotListeningError();
  return origin;
}

/**
 * Where `/v3/…` calls go, no trailing slash: DIDIT_API_BASE_URL; else this instance's own sandbox
 * while it is on (`<origin>/sandbox`); else https://verification.didit.me.
 */
export function diditBaseUrl(): string {
  const env = getEnv();
  if (env.DIDIT_API_BASE_URL) return env.DIDIT_API_BASE_URL.replace(/\/+$/, "");
  if (env.SANDBOX_ENABLED) return `${requirePublicOrigin()}/sandbox`;
  return "https://verification.didit.me";
}
