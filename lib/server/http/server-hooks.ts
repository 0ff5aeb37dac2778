import "server-only";
import http from "node:http";
import https from "node:https";
import { randomUUID } from "node:crypto";
import { noteListenAddress } from "../listen-address";
import { stampPeerAddress } from "./peer-address";
import SECURITY from "./security-headers.json";

/**
 * Hooks on the Node HTTP server itself, for what Next gives a route no chance to handle. Installed
 * once per process from instrumentation.ts, before the first request:
 * - the socket's address, stamped on every request for clientIp() (see peer-address.ts);
 * - the address the server listens on, for this console's own URL (lib/server/listen-address.ts);
 * - a method Next cannot route (TRACE, PROPFIND, …: Next answers them with a bare 500) is refused
 *   here with a JSON 405, in the sandbox's dialect under /sandbox, with the usual headers.
 */
const ROUTABLE = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
const ALLOW = [...ROUTABLE].join(", ");

export function refuseUnroutableMethod(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  const method = (req.method ?? "GET").toUpperCase();
  if (ROUTABLE.has(method)) return false;
  const sandbox = (req.url ?? "").startsWith("/sandbox/");
  const requestId = randomUUID();
  const body = sandbox
    ? { detail: `Method "${method.slice(0, 32)}" not allowed.` }
    : {
        error: {
          code: "method_not_allowed",
          message: `This endpoint does not accept ${method.slice(0, 32)}.`,
          requestId,
        },
      };
  res.writeHead(405, {
    ...SECURITY.common,
    "Content-Security-Policy": SECURITY.strictCsp,
    "Permissions-Policy": SECURITY.permissionsPolicy.join(", "),
    "Cache-Control": "no-store",
    "Content-Type": "application/json",
    Allow: ALLOW,
    "x-request-id": requestId,
  });
  // Drain whatever body came, then answer.
  req.resume();
  res.end(JSON.stringify(body));
  return true;
}

type Emit = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;
const MARK = Symbol.for("handoff.serverHooks");

export function installServerHooks(): void {
  for (const proto of [http.Server.prototype, https.Server.prototype] as unknown as Record<
    symbol | "emit",
    unknown
  >[]) {
    if (proto[MARK]) continue;
    const original = proto.emit as Emit;
    proto.emit = function (this: unknown, event: string | symbol, ...args: unknown[]) {
      if (event === "request") {
        const [req, res] = args as [http.IncomingMessage, http.ServerResponse];
        stampPeerAddress(req);
        noteListenAddress(req.socket.localAddress, req.socket.localPort);
        if (refuseUnroutableMethod(req, res)) return true;
      }
      if (event === "listening") {
        const address = (this as http.Server).address();
        if (address && typeof address === "object") noteListenAddress(address.address, address.port);
      }
      return original.call(this, event, ...args);
    } satisfies Emit;
    proto[MARK] = true;
  }
}
