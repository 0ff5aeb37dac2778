/**
 * A remote partner's Handoff console for the receiving suites (imported by tests only): a real
 * HTTP server on 127.0.0.1 serving the partner API as docs/partner-api.md describes it — every
 * request verified with the `standardwebhooks` package and the `handoff-partner-id` it gave us,
 * a `webhook-id` accepted once (409 `replayed`), pick-up shares listed and each token handed over
 * once (409 `conflict` after), receipts stored (202). Scripted faults per route: a status, a hang,
 * a redirect.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import type { PartnerShare, PickupResponse, ReceiptRequest } from "@/lib/schemas/partner-api";

export type RemoteRoute = "list" | "pickup" | "receipt";
export type RemoteFault = number | "hang" | { redirect: string };

export type RemoteRequest = {
  route: RemoteRoute | "other";
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  /** The signature checked with the shared secret and the partner id header matched. */
  verified: boolean;
};

export type RemoteConsole = {
  origin: string;
  /** The secret it shares with us (the one we adopt), and our partner id at it. */
  secret: string;
  partnerId: string;
  requests: RemoteRequest[];
  /** Receipts it stored (verified, not replayed), in order. */
  receipts: ReceiptRequest[];
  /** A share waiting for pick-up (its token handed over once). */
  offer: (share: PickupResponse) => void;
  /** Shares it still lists although they were taken (a stale list), by id. */
  keepListing: (shareId: string) => void;
  /** Another console took the share: still listed, its pick-up answered 409. */
  takenElsewhere: (shareId: string) => void;
  /** The next answers of a route (then it answers normally again). */
  fault: (route: RemoteRoute, ...faults: RemoteFault[]) => void;
  /** Store the receipt, then answer with this status anyway (a 2xx lost on the way back). */
  loseReceiptAnswers: (statuses: number[]) => void;
  close: () => Promise<void>;
};

const CODES: Record<number, string> = {
  400: "malformed_json",
  401: "invalid_signature",
  404: "not_found",
  409: "conflict",
  422: "validation_failed",
};
const error = (code: string, message: string) =>
  JSON.stringify({ error: { code, message, requestId: "remote" } });

export async function startRemoteConsole(
  opts: { secret?: string; partnerId?: string } = {},
): Promise<RemoteConsole> {
  const secret =
    opts.secret ?? `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64")}`;
  const partnerId = opts.partnerId ?? randomUUID();
  const requests: RemoteRequest[] = [];
  const receipts: ReceiptRequest[] = [];
  const waiting = new Map<string, PickupResponse>();
  const taken = new Set<string>();
  const stale = new Set<string>();
  const seenIds = new Set<string>();
  const faults: Record<RemoteRoute, RemoteFault[]> = { list: [], pickup: [], receipt: [] };
  let lost: number[] = [];

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const path = req.url ?? "";
      const method = req.method ?? "";
      const pickup = /^\/api\/partner\/v1\/shares\/([^/]+)\/pickup$/.exec(path);
      const route: RemoteRequest["route"] =
        method === "GET" && path === "/api/partner/v1/shares"
          ? "list"
          : method === "POST" && pickup
            ? "pickup"
            : method === "POST" && path === "/api/partner/v1/receipts"
              ? "receipt"
              : "other";
      let verified = false;
      try {
        new Webhook(secret).verify(raw, {
          "webhook-id": String(req.headers["webhook-id"] ?? ""),
          "webhook-timestamp": String(req.headers["webhook-timestamp"] ?? ""),
          "webhook-signature": String(req.headers["webhook-signature"] ?? ""),
        });
        verified = req.headers["handoff-partner-id"] === partnerId;
      } catch {
        verified = false;
      }
      requests.push({ route, method, path, headers: req.headers, raw, verified });
      const send = (status: number, body: string, headers: Record<string, string> = {}) =>
        res.writeHead(status, { "content-type": "application/json", ...headers }).end(body);

      if (route !== "other") {
        const fault = faults[route].shift();
        if (fault === "hang") return;
        if (typeof fault === "number")
          return send(fault, error(CODES[fault] ?? "internal_error", "scripted"));
        if (fault) return send(302, "", { location: fault.redirect });
      }
      if (!verified)
        return send(401, error("invalid_signature", "The request signature could not be verified."));
      const messageId = String(req.headers["webhook-id"]);
      if (seenIds.has(messageId))
        return send(409, error("replayed", "This webhook-id was already accepted."));
      seenIds.add(messageId);

      if (route === "list") {
        const items: PartnerShare[] = [...waiting.values()]
          .filter((s) => !taken.has(s.share_id) || stale.has(s.share_id))
          .map(({ share_token: _token, ...rest }) => rest);
        return send(200, JSON.stringify({ items }));
      }
      if (route === "pickup") {
        const share = waiting.get(decodeURIComponent(pickup![1]!));
        if (!share) return send(404, error("not_found", "No such share for this partner."));
        if (taken.has(share.share_id))
          return send(409, error("conflict", "This share was already picked up."));
        taken.add(share.share_id);
        return send(200, JSON.stringify(share), { "cache-control": "no-store" });
      }
      if (route === "receipt") {
        receipts.push(JSON.parse(raw) as ReceiptRequest);
        const status = lost.shift();
        if (status !== undefined) return send(status, error("internal_error", "lost"));
        return send(202, JSON.stringify({ received: true, receipt_id: randomUUID() }));
      }
      return send(404, error("not_found", "No such route."));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    secret,
    partnerId,
    requests,
    receipts,
    offer: (share) => waiting.set(share.share_id, share),
    keepListing: (id) => stale.add(id),
    takenElsewhere: (id) => {
      taken.add(id);
      stale.add(id);
    },
    fault: (route, ...next) => faults[route].push(...next),
    loseReceiptAnswers: (statuses) => (lost = [...statuses]),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
