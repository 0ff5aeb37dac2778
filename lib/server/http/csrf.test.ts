import { describe, expect, it } from "vitest";
import { assertJsonContentType, assertSameOrigin, ownOrigins } from "./csrf";

const req = (url: string, headers: Record<string, string>) => new Request(url, { method: "POST", headers });
const refused = (r: Request) => {
  try {
    assertSameOrigin(r);
    return false;
  } catch {
    return true;
  }
};

describe("assertSameOrigin", () => {
  it("accepts our own origin, default ports normalised, and no Origin at all", () => {
    expect(refused(req("http://127.0.0.1:3000/api/users", { origin: "http://127.0.0.1:3000" }))).toBe(false);
    expect(refused(req("https://console.example/api/users", { origin: "https://console.example:443" }))).toBe(
      false,
    );
    expect(refused(req("http://127.0.0.1:3000/api/users", {}))).toBe(false);
    expect(refused(req("http://127.0.0.1:3000/api/users", { "sec-fetch-site": "same-origin" }))).toBe(false);
  });

  it("accepts the origin a proxy forwards", () => {
    const r = req("http://10.0.0.5:3000/api/users", {
      host: "10.0.0.5:3000",
      "x-forwarded-host": "console.example, internal",
      "x-forwarded-proto": "https",
      origin: "https://console.example",
    });
    expect(ownOrigins(r).has("https://console.example")).toBe(true);
    expect(refused(r)).toBe(false);
  });

  it("refuses a foreign, null or malformed Origin and Sec-Fetch-Site: cross-site", () => {
    const url = "http://127.0.0.1:3000/api/users";
    const variants: Record<string, string>[] = [
      { origin: "https://evil.example" },
      { origin: "http://127.0.0.1:3001" },
      { origin: "null" },
      { origin: "not a url" },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "cross-site", origin: "http://127.0.0.1:3000" },
    ];
    for (const headers of variants) {
      expect(refused(req(url, headers)), JSON.stringify(headers)).toBe(true);
    }
  });
});

describe("assertJsonContentType", () => {
  const ok = (type: string | null) => {
    try {
      assertJsonContentType(req("http://x/", type ? { "content-type": type } : {}));
      return true;
    } catch {
      return false;
    }
  };
  it("accepts application/json with or without charset=utf-8", () => {
    expect(ok("application/json")).toBe(true);
    expect(ok("Application/JSON; charset=UTF-8")).toBe(true);
    expect(ok('application/json;charset="utf-8"')).toBe(true);
  });
  it("refuses everything a form or simple request can send, and other charsets", () => {
    for (const type of [
      null,
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data",
      "application/json; charset=iso-8859-1",
      "application/jsonx",
      "text/json",
    ]) {
      expect(ok(type), String(type)).toBe(false);
    }
  });
});
