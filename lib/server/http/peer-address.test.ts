import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installPeerAddressHook, PEER_ADDRESS_HEADER, PEER_TLS_HEADER } from "./peer-address";

describe("installPeerAddressHook", () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    installPeerAddressHook();
    installPeerAddressHook(); // twice is once
    server = createServer((req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ peer: req.headers[PEER_ADDRESS_HEADER], tls: req.headers[PEER_TLS_HEADER] }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("stamps the socket's address over whatever the client sent under that name", async () => {
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          path: "/",
          headers: { [PEER_ADDRESS_HEADER]: "6.6.6.6", [PEER_TLS_HEADER]: "1", "x-forwarded-for": "6.6.6.6" },
        },
        (res) => {
          let data = "";
          res.on("data", (c: Buffer) => (data += c.toString()));
          res.on("end", () => resolve(data));
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(JSON.parse(body)).toEqual({ peer: "127.0.0.1", tls: "0" });
  });
});
