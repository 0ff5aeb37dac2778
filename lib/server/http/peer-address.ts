import "server-only";
import http from "node:http";
import https from "node:https";

/**
 * Route handlers never see the socket, and Next sets `x-forwarded-for` from it only when the
 * request brought none (a client can forge the header). So every incoming request gets the
 * socket's address in a header of our own, overwriting whatever the client sent under that name.
 * Installed once per process from instrumentation.ts, before the first request is handled.
 */
export const PEER_ADDRESS_HEADER = "x-handoff-peer-address";
/** "1" when the socket itself is TLS (`next start --experimental-https`), else "0". */
export const PEER_TLS_HEADER = "x-handoff-peer-tls";

type Emit = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;
const MARK = Symbol.for("handoff.peerAddressHook");

export function stampPeerAddress(req: http.IncomingMessage): void {
  const socket = req.socket as (typeof req.socket & { encrypted?: boolean }) | undefined;
  req.headers[PEER_ADDRESS_HEADER] = socket?.remoteAddress ?? "";
  req.headers[PEER_TLS_HEADER] = socket?.encrypted ? "1" : "0";
}

export function installPeerAddressHook(): void {
  for (const proto of [http.Server.prototype, https.Server.prototype] as unknown as Record<
    symbol | "emit",
    unknown
  >[]) {
    if (proto[MARK]) continue;
    const original = proto.emit as Emit;
    proto.emit = function (this: unknown, event: string | symbol, ...args: unknown[]) {
      if (event === "request") stampPeerAddress(args[0] as http.IncomingMessage);
      return original.call(this, event, ...args);
    } satisfies Emit;
    proto[MARK] = true;
  }
}
