import { readdirSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

/**
 * A real HTTP server on 127.0.0.1 for the sandbox's route handlers, routed the way Next's App Router
 * routes them: the route files of app/sandbox/** are matched segment by segment, a static segment
 * beating `[param]` beating `[...catchAll]`, a trailing slash ignored (skipTrailingSlashRedirect),
 * a method the file does not export answered 405 with an empty body, as Next does.
 */

type Segment =
  { kind: "static"; value: string } | { kind: "param"; name: string } | { kind: "catchAll"; name: string };
type RouteFile = { file: string; segments: Segment[] };
type Handler = (
  req: Request,
  ctx: { params: Promise<Record<string, string | string[]>> },
) => Promise<Response>;

const APP_DIR = path.resolve(import.meta.dirname, "..", "app");

function findRouteFiles(dir: string, prefix: string[] = []): RouteFile[] {
  const out: RouteFile[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      out.push(...findRouteFiles(full, [...prefix, name]));
    } else if (name === "route.ts") {
      const segments: Segment[] = prefix
        .filter((s) => !(s.startsWith("(") && s.endsWith(")")))
        .map((s) => {
          const catchAll = /^\[\.\.\.(.+)\]$/.exec(s);
          if (catchAll) return { kind: "catchAll", name: catchAll[1]! };
          const param = /^\[(.+)\]$/.exec(s);
          if (param) return { kind: "param", name: param[1]! };
          return { kind: "static", value: s };
        });
      out.push({ file: full, segments });
    }
  }
  return out;
}

const RANK = { static: 0, param: 1, catchAll: 2 } as const;

function match(
  route: RouteFile,
  parts: string[],
): { params: Record<string, string | string[]>; rank: number[] } | null {
  const params: Record<string, string | string[]> = {};
  const rank: number[] = [];
  for (let i = 0; i < route.segments.length; i++) {
    const seg = route.segments[i]!;
    rank.push(RANK[seg.kind]);
    if (seg.kind === "catchAll") {
      const rest = parts.slice(i);
      if (rest.length === 0) return null;
      params[seg.name] = rest.map((p) => tryDecode(p) ?? p);
      return { params, rank };
    }
    const part = parts[i];
    if (part === undefined) return null;
    if (seg.kind === "static" && seg.value !== part) return null;
    if (seg.kind === "param") {
      // Next's router cannot decode such a segment (a bare 500); under `next start` proxy.ts answers
      // it with the sandbox's JSON 404. Here: no [param] route matches, so the sandbox's catch-all,
      // which gets the segment undecoded, gives the same 404.
      const decoded = tryDecode(part);
      if (decoded === null) return null;
      params[seg.name] = decoded;
    }
  }
  return parts.length === route.segments.length ? { params, rank } : null;
}

function tryDecode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

function better(a: number[], b: number[]): boolean {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return a.length > b.length;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export type SandboxServer = { origin: string; close: () => Promise<void> };

export async function startSandboxServer(options: { root?: string } = {}): Promise<SandboxServer> {
  const routes = findRouteFiles(path.join(APP_DIR, options.root ?? "sandbox"), [options.root ?? "sandbox"]);
  const modules = new Map<string, Record<string, unknown>>();
  for (const r of routes) modules.set(r.file, (await import(r.file)) as Record<string, unknown>);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
    const parts = url.pathname.split("/").filter((p, i, all) => p !== "" || (i > 0 && i < all.length - 1));
    let best: { route: RouteFile; params: Record<string, string | string[]>; rank: number[] } | null = null;
    for (const route of routes) {
      const m = match(route, parts);
      if (m && (!best || better(m.rank, best.rank))) best = { route, ...m };
    }
    if (!best) {
      res.writeHead(404, { "content-type": "text/html" }).end("<h1>404</h1>");
      return;
    }
    const method = (req.method ?? "GET").toUpperCase();
    const mod = modules.get(best.route.file)!;
    const handler = (mod[method === "HEAD" ? "GET" : method] ?? null) as Handler | null;
    if (!handler) {
      res.writeHead(method === "OPTIONS" ? 204 : 405).end();
      return;
    }
    const body = method === "GET" || method === "HEAD" ? undefined : await readBody(req);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (Array.isArray(v)) v.forEach((x) => headers.append(k, x));
      else if (v !== undefined) headers.set(k, v);
    }
    const request = new Request(url, {
      method,
      headers,
      body: body && body.length > 0 ? new Uint8Array(body) : undefined,
    });
    const response = await handler(request, { params: Promise.resolve(best.params) });
    const out = Buffer.from(await response.arrayBuffer());
    const outHeaders: Record<string, string> = {};
    response.headers.forEach((v, k) => (outHeaders[k] = v));
    res.writeHead(response.status, outHeaders).end(method === "HEAD" ? undefined : out);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(599).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

export type HttpResult = { status: number; headers: Headers; body: unknown; text: string };

/** A small client: JSON in, JSON (or text) out. `rawBody` is sent as is. */
export function sandboxClient(origin: string) {
  return async function call(
    method: string,
    pathAndQuery: string,
    opts: {
      key?: string | null;
      admin?: string;
      body?: unknown;
      rawBody?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<HttpResult> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.key) headers["x-api-key"] = opts.key;
    if (opts.admin) headers.authorization = `Bearer ${opts.admin}`;
    let payload: string | undefined;
    if (opts.rawBody !== undefined) payload = opts.rawBody;
    else if (opts.body !== undefined) payload = JSON.stringify(opts.body);
    if (payload !== undefined) headers["content-type"] ??= "application/json";
    const response = await fetch(`${origin}${pathAndQuery}`, { method, headers, body: payload });
    const text = await response.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    return { status: response.status, headers: response.headers, body, text };
  };
}
