import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PEER_ADDRESS_HEADER, PEER_TLS_HEADER } from "./peer-address";
import { installServerHooks } from "./server-hooks";

type Reply = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

describe("installServerHooks", () => {
  let server: Server;
  let port: number;
  let handled = 0;
  beforeAll(async () => {
    installServerHooks();
    installServerHooks(); // twice is once
    server = createServer((req, res) => {
      handled++;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ peer: req.headers[PEER_ADDRESS_HEADER], tls: req.headers[PEER_TLS_HEADER] }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function send(method: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, method, path, headers }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on("error", reject);
      req.end();
    });
  }

  it("stamps the socket's address over whatever the client sent under that name", async () => {
    const res = await send("GET", "/", {
      [PEER_ADDRESS_HEADER]: "6.6.6.6",
      [PEER_TLS_HEADER]: "1",
      "x-forwarded-for": "6.6.6.6",
    });
    expect(JSON.parse(res.body)).toEqual({ peer: "127.0.0.1", tls: "0" });
  });

  it("refuses a method Next cannot route with a JSON 405 and the security headers", async () => {
    const before = handled;
    const api = await send("TRACE", "/api/users");
    expect(api.status).toBe(405);
    expect(JSON.parse(api.body).error.code).toBe("method_not_allowed");
    expect(api.headers["content-type"]).toBe("application/json");
    expect(api.headers.allow).toBe("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
    expect(api.headers["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(api.headers["x-content-type-options"]).toBe("nosniff");
    const sandbox = await send("PROPFIND", "/sandbox/v3/sessions/");
    expect(sandbox.status).toBe(405);
    expect(JSON.parse(sandbox.body)).toEqual({ detail: 'Method "PROPFIND" not allowed.' });
    expect(handled).toBe(before);
    // The seven methods Next routes pass through.
    for (const method of ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) {
      expect((await send(method, "/api/users")).status, method).toBe(200);
    }
    expect(handled).toBe(before + 7);
  });
});
