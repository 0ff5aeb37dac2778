import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/**
 * A local HTTP proxy in front of an upstream (the sandbox server) that misbehaves on request:
 * a rule names which requests it applies to and how many times, and what to do instead of (or
 * after) forwarding. Every request is recorded, so a test can count what reached the proxy and
 * what reached the upstream.
 *
 *   const proxy = await startFaultProxy(sandbox.origin);
 *   proxy.fault({ path: /import-shared/ }, { kind: "status", status: 500 }, 2);
 */

export type Fault =
  /** Answer this status (Didit-style JSON body) without forwarding, unless `forward`. */
  | { kind: "status"; status: number; body?: unknown; headers?: Record<string, string>; forward?: boolean }
  /** 429 with `Retry-After: seconds` (and Didit's body), not forwarded. */
  | { kind: "rate-limit"; retryAfter: number | string }
  /** Never answer (the socket stays open until the client gives up). `forward`: the upstream acts first. */
  | { kind: "hang"; forward?: boolean }
  /** Forward, then send the upstream's status and headers and half its body, and cut the connection. */
  | { kind: "drop-mid-body" }
  /** Cut the connection at once, without an answer or forwarding. */
  | { kind: "reset" };

export type Match = { method?: string; path?: RegExp };
type Rule = { match: Match; fault: Fault; remaining: number };

export type ProxiedRequest = {
  method: string;
  path: string;
  forwarded: boolean;
  fault: Fault["kind"] | null;
};

export type FaultProxy = {
  origin: string;
  /** Applies `fault` to the next `times` requests matching `match` (rules are tried in order). */
  fault: (match: Match, fault: Fault, times?: number) => void;
  /** Every request received, in order. */
  requests: ProxiedRequest[];
  /** Requests that matched `match` (received / forwarded to the upstream). */
  count: (match?: Match) => { received: number; forwarded: number };
  /** Forget rules and the request log. */
  reset: () => void;
  close: () => Promise<void>;
};

const matches = (m: Match, method: string, path: string) =>
  (m.method === undefined || m.method.toUpperCase() === method) &&
  (m.path === undefined || m.path.test(path));

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

type Upstream = { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer };

function forward(target: URL, req: IncomingMessage, body: Buffer): Promise<Upstream> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, host: target.host };
    const out = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (res) => {
        readBody(res).then(
          (b) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: b }),
          reject,
        );
      },
    );
    out.on("error", reject);
    out.end(body.length > 0 ? body : undefined);
  });
}

export async function startFaultProxy(upstreamOrigin: string): Promise<FaultProxy> {
  const target = new URL(upstreamOrigin);
  let rules: Rule[] = [];
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();

  const take = (method: string, path: string): Fault | null => {
    const rule = rules.find((r) => r.remaining > 0 && matches(r.match, method, path));
    if (!rule) return null;
    rule.remaining--;
    return rule.fault;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const method = (req.method ?? "GET").toUpperCase();
    const path = req.url ?? "/";
    const body = await readBody(req);
    const fault = take(method, new URL(path, "http://x").pathname);
    const entry: ProxiedRequest = { method, path, forwarded: false, fault: fault?.kind ?? null };
    requests.push(entry);
    const pass = async () => {
      entry.forwarded = true;
      return forward(target, req, body);
    };

    if (!fault) {
      const up = await pass();
      res.writeHead(up.status, up.headers).end(up.body);
      return;
    }
    switch (fault.kind) {
      case "status": {
        if (fault.forward) await pass();
        const payload = JSON.stringify(fault.body ?? { detail: "A server error occurred." });
        res.writeHead(fault.status, { "content-type": "application/json", ...fault.headers }).end(payload);
        return;
      }
      case "rate-limit":
        res
          .writeHead(429, { "content-type": "application/json", "retry-after": String(fault.retryAfter) })
          .end(
            JSON.stringify({
              detail: `Request was throttled. Expected available in ${fault.retryAfter} seconds.`,
            }),
          );
        return;
      case "hang":
        if (fault.forward) await pass();
        return; // no answer; the socket is destroyed by the client's abort or by close()
      case "reset":
        req.socket.destroy();
        return;
      case "drop-mid-body": {
        const up = await pass();
        const headers: Record<string, string | string[] | undefined> = {
          ...up.headers,
          "content-length": String(Math.max(up.body.length, 2)),
        };
        delete headers["transfer-encoding"];
        res.writeHead(up.status, headers);
        res.write(up.body.subarray(0, Math.floor(up.body.length / 2)));
        // Flush what was written, then cut the connection mid-body.
        setTimeout(() => req.socket.destroy(), 20);
        return;
      }
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(502).end();
      else req.socket.destroy();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    fault(match, fault, times = 1) {
      rules.push({ match, fault, remaining: times });
    },
    requests,
    count(match = {}) {
      const hit = requests.filter((r) => matches(match, r.method, new URL(r.path, "http://x").pathname));
      return { received: hit.length, forwarded: hit.filter((r) => r.forwarded).length };
    },
    reset() {
      rules = [];
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const s of sockets) s.destroy();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
