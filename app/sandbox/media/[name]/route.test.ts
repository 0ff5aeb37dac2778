import { beforeEach, describe, expect, it, vi } from "vitest";

const env = vi.hoisted(() => ({ SANDBOX_ENABLED: true }));
vi.mock("@/lib/env", () => ({ getEnv: () => env }));

import { GET } from "./route";

const get = (name: string) =>
  GET(new Request(`http://localhost/sandbox/media/${name}`), { params: Promise.resolve({ name }) });

describe("GET /sandbox/media/[name]", () => {
  beforeEach(() => {
    env.SANDBOX_ENABLED = true;
  });

  it("serves a cacheable PNG for a generated name", async () => {
    const res = await get("kyc-12-front.png");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("cache-control")).toBe("public, max-age=86400");
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.subarray(1, 4).toString("ascii")).toBe("PNG");
    expect(res.headers.get("content-length")).toBe(String(body.length));
  });

  it("answers 404 in Didit's style for unknown names", async () => {
    const res = await get("kyc-12-passport-scan.png");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: "Not found." });
  });

  it("answers 404 when the sandbox is disabled", async () => {
    env.SANDBOX_ENABLED = false;
    const res = await get("kyc-12-front.png");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: "Not found." });
  });
});
