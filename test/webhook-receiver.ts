import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type ReceivedRequest = { method: string; path: string; headers: IncomingHttpHeaders; raw: Buffer };

/**
 * A real HTTP receiver on 127.0.0.1:<random port> for webhook tests. It records every request with
 * its raw body bytes and answers with the next status from `respond` (default 200); "hang" never
 * answers (for timeouts).
 */
export type WebhookReceiver = {
  url: (path?: string) => string;
  received: ReceivedRequest[];
  respond: (...statuses: (number | "hang")[]) => void;
  close: () => Promise<void>;
};

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedRequest[] = [];
  const queue: (number | "hang")[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        raw: Buffer.concat(chunks),
      });
      const next = queue.shift() ?? 200;
      if (next === "hang") return;
      res.writeHead(next, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: next < 300 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path = "/hook") => `http://127.0.0.1:${port}${path}`,
    received,
    respond: (...statuses) => queue.push(...statuses),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
