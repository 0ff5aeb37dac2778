import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyAnswer, errorCodeOf, networkCode, partnerRequest, signedHeaders } from "./partner-transport";

const SECRET = `whsec_${Buffer.from("a partner transport test secret!").toString("base64")}`;

describe("classifyAnswer", () => {
  it("2xx sent; 4xx other than 408/429 final; 3xx, 408, 429, 5xx and no answer retried", () => {
    const final = { conflict: "final" } as const;
    expect([200, 202, 204].map((s) => classifyAnswer(s, final))).toEqual(["sent", "sent", "sent"]);
    expect([400, 401, 404, 409, 410, 422].map((s) => classifyAnswer(s, final))).toEqual(
      Array(6).fill("final"),
    );
    expect([301, 302, 408, 429, 500, 502, 503, null].map((s) => classifyAnswer(s, final))).toEqual(
      Array(8).fill("retry"),
    );
  });

  it("409 is the caller's policy: sent when replayed under sent-if-replayed, final otherwise", () => {
    expect(classifyAnswer(409, { conflict: "sent-if-replayed", code: "replayed" })).toBe("sent");
    expect(classifyAnswer(409, { conflict: "sent-if-replayed", code: "conflict" })).toBe("final");
    expect(classifyAnswer(409, { conflict: "sent-if-replayed", code: null })).toBe("final");
    expect(classifyAnswer(409, { conflict: "final", code: "replayed" })).toBe("final");
    // The code matters only on a 409.
    expect(classifyAnswer(422, { conflict: "sent-if-replayed", code: "replayed" })).toBe("final");
    expect(classifyAnswer(503, { conflict: "sent-if-replayed", code: "replayed" })).toBe("retry");
  });
});

describe("networkCode and errorCodeOf", () => {
  it("takes the cause's code when it is an upper-case code, else 'network error'", () => {
    const fetchError = (code: unknown) => Object.assign(new TypeError("fetch failed"), { cause: { code } });
    expect(networkCode(fetchError("ECONNREFUSED"))).toBe("ECONNREFUSED");
    expect(networkCode(fetchError("UND_ERR_SOCKET"))).toBe("UND_ERR_SOCKET");
    expect(networkCode(fetchError("secret=abc"))).toBe("network error");
    expect(networkCode(fetchError(42))).toBe("network error");
    expect(networkCode(new Error("plain"))).toBe("network error");
    expect(networkCode(null)).toBe("network error");
    expect(networkCode(undefined)).toBe("network error");
  });

  it("takes a snake_case error.code of the envelope only", () => {
    expect(errorCodeOf({ error: { code: "replayed", message: "x" } })).toBe("replayed");
    expect(errorCodeOf({ error: { code: "Not A Code" } })).toBeNull();
    expect(errorCodeOf({ error: { code: 7 } })).toBeNull();
    expect(errorCodeOf(null)).toBeNull();
    expect(errorCodeOf("text")).toBeNull();
  });
});

describe("partnerRequest", () => {
  type Seen = { method: string; url: string; headers: IncomingMessage["headers"]; body: string };
  const seen: Seen[] = [];
  let answer: (res: ServerResponse) => void = (res) => res.end();
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        seen.push({
          method: req.method!,
          url: req.url!,
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        });
        answer(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("POSTs the exact body signed per Standard Webhooks, with the caller's headers", async () => {
    seen.length = 0;
    answer = (res) => res.writeHead(202).end();
    const body = JSON.stringify({ hello: "partner" });
    const got = await partnerRequest({
      method: "POST",
      url: `${base}/inbox`,
      body,
      secret: SECRET,
      messageId: "msg_1",
      headers: { accept: "application/json", "handoff-partner-id": "p1" },
      read: "discard",
    });
    expect(got).toMatchObject({ kind: "answer", status: 202, json: null, code: null });
    const [req] = seen;
    expect(req!.method).toBe("POST");
    expect(req!.body).toBe(body);
    expect(req!.headers["content-type"]).toBe("application/json");
    expect(req!.headers.accept).toBe("application/json");
    expect(req!.headers["handoff-partner-id"]).toBe("p1");
    expect(req!.headers["webhook-id"]).toBe("msg_1");
    const verified = new Webhook(SECRET).verify(body, {
      "webhook-id": req!.headers["webhook-id"] as string,
      "webhook-timestamp": req!.headers["webhook-timestamp"] as string,
      "webhook-signature": req!.headers["webhook-signature"] as string,
    });
    expect(verified).toEqual({ hello: "partner" });
  });

  it("a GET or an empty POST sends no body and no content-type, signed over ''", async () => {
    seen.length = 0;
    answer = (res) => res.writeHead(200, { "content-type": "application/json" }).end('{"items":[]}');
    const got = await partnerRequest({
      method: "GET",
      url: `${base}/shares`,
      secret: SECRET,
      messageId: "msg_2",
      read: "json",
    });
    expect(got).toMatchObject({ kind: "answer", status: 200, json: { items: [] }, code: null });
    expect(seen[0]!.headers["content-type"]).toBeUndefined();
    expect(seen[0]!.body).toBe("");
    const sentAt = new Date(Number(seen[0]!.headers["webhook-timestamp"]) * 1000);
    expect(seen[0]!.headers["webhook-signature"]).toBe(
      signedHeaders(SECRET, "msg_2", "", sentAt)["webhook-signature"],
    );
  });

  it("reads the envelope's error code; an answer past maxAnswerChars or not JSON has none", async () => {
    answer = (res) => res.writeHead(409).end('{"error":{"code":"replayed","message":"seen"}}');
    const replayed = await partnerRequest({
      method: "POST",
      url: base,
      body: "{}",
      secret: SECRET,
      messageId: "m",
      read: "json",
    });
    expect(replayed).toMatchObject({ kind: "answer", status: 409, code: "replayed" });
    const capped = await partnerRequest({
      method: "POST",
      url: base,
      body: "{}",
      secret: SECRET,
      messageId: "m",
      read: "json",
      maxAnswerChars: 10,
    });
    expect(capped).toMatchObject({ kind: "answer", status: 409, json: null, code: null });
    answer = (res) => res.writeHead(500).end("<html>oops</html>");
    const html = await partnerRequest({
      method: "POST",
      url: base,
      body: "{}",
      secret: SECRET,
      messageId: "m",
      read: "json",
    });
    expect(html).toMatchObject({ kind: "answer", status: 500, json: null, code: null });
  });

  it("never follows a redirect", async () => {
    seen.length = 0;
    answer = (res) => res.writeHead(302, { location: `${base}/elsewhere` }).end();
    const got = await partnerRequest({
      method: "POST",
      url: `${base}/inbox`,
      body: "{}",
      secret: SECRET,
      messageId: "m",
      read: "discard",
    });
    expect(got).toMatchObject({ kind: "answer", status: 302 });
    expect(seen.map((s) => s.url)).toEqual(["/inbox"]);
  });

  it("says why there was no answer: a network code, the timeout, or the caller's signal", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await partnerRequest({
      method: "POST",
      url: `http://127.0.0.1:${port}/`,
      body: "{}",
      secret: SECRET,
      messageId: "m",
      read: "discard",
    });
    expect(refused).toMatchObject({ kind: "unreachable", why: "network", code: "ECONNREFUSED" });

    answer = () => undefined; // never answers
    const slow = await partnerRequest({
      method: "POST",
      url: base,
      body: "{}",
      secret: SECRET,
      messageId: "m",
      read: "discard",
      timeoutMs: 200,
    });
    expect(slow).toMatchObject({ kind: "unreachable", why: "timeout" });

    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    const interrupted = await partnerRequest({
      method: "POST",
      url: base,
      body: "{}",
      secret: SECRET,
      messageId: "m",
      read: "discard",
      signal: stop.signal,
    });
    expect(interrupted).toMatchObject({ kind: "unreachable", why: "interrupted" });
    server.closeAllConnections();
  });
});
