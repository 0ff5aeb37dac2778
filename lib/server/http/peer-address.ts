import "server-only";
import type http from "node:http";

/**
 * Route handlers never see the socket, and Next sets `x-forwarded-for` from it only when the
 * request brought none (a client can forge the header). So every incoming request gets the
 * socket's address in a header of our own, overwriting whatever the client sent under that name.
 * Stamped by the server hooks (server-hooks.ts), installed from instrumentation.ts.
 */
export const PEER_ADDRESS_HEADER = "x-handoff-peer-address";
/** "1" when the socket itself is TLS (`next start --experimental-https`), else "0". */
export const PEER_TLS_HEADER = "x-handoff-peer-tls";

export function stampPeerAddress(req: http.IncomingMessage): void {
  const socket = req.socket as (typeof req.socket & { encrypted?: boolean }) | undefined;
  req.headers[PEER_ADDRESS_HEADER] = socket?.remoteAddress ?? "";
  req.headers[PEER_TLS_HEADER] = socket?.encrypted ? "1" : "0";
}
