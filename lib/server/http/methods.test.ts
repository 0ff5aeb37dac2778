import { describe, expect, it } from "vitest";
import { routeMethods } from "./methods";

describe("routeMethods", () => {
  const mod = routeMethods({
    GET: async () => Response.json({ ok: true }, { headers: { "x-custom": "1" } }),
    POST: async () => new Response(null, { status: 201 }),
  });

  it("runs declared methods and answers the others with the JSON 405 and Allow", async () => {
    expect((await mod.GET(new Request("http://x/"))).status).toBe(200);
    expect((await mod.POST(new Request("http://x/", { method: "POST" }))).status).toBe(201);
    for (const method of ["PUT", "PATCH", "DELETE"] as const) {
      const res = await mod[method](new Request("http://x/", { method }));
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("GET, HEAD, POST, OPTIONS");
      const body = (await res.json()) as { error: { code: string; message: string; requestId: string } };
      expect(body.error.code).toBe("method_not_allowed");
      expect(body.error.message).toContain(method);
      expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
    }
  });

  it("answers HEAD as GET without a body, and OPTIONS with 204 and Allow", async () => {
    const head = await mod.HEAD(new Request("http://x/", { method: "HEAD" }));
    expect(head.status).toBe(200);
    expect(head.headers.get("x-custom")).toBe("1");
    expect(await head.text()).toBe("");
    const options = await mod.OPTIONS(new Request("http://x/", { method: "OPTIONS" }));
    expect(options.status).toBe(204);
    expect(options.headers.get("allow")).toBe("GET, HEAD, POST, OPTIONS");
  });

  it("answers HEAD with 405 when there is no GET", async () => {
    const postOnly = routeMethods({ POST: async () => new Response(null, { status: 204 }) });
    const head = await postOnly.HEAD(new Request("http://x/", { method: "HEAD" }));
    expect(head.status).toBe(405);
    expect(head.headers.get("allow")).toBe("POST, OPTIONS");
  });
});
