import { describe, expect, it } from "vitest";
import { PEER_ADDRESS_HEADER, PEER_TLS_HEADER } from "./peer-address";
import { clientIpWith, isHttpsWith, normalizeIp, trustedProxyList } from "./request";

const none = trustedProxyList([]);
const proxies = trustedProxyList(["127.0.0.1/32", "10.0.0.0/8", "fd00::/8", "2001:db8::1"]);

function headers(peer: string | null, extra: Record<string, string> = {}): Headers {
  const h = new Headers(extra);
  if (peer !== null) h.set(PEER_ADDRESS_HEADER, peer);
  return h;
}

describe("clientIp", () => {
  it("with no trusted proxy, is the socket's address whatever X-Forwarded-For and X-Real-IP claim", () => {
    const h = headers("198.51.100.7", { "x-forwarded-for": "1.2.3.4", "x-real-ip": "5.6.7.8" });
    expect(clientIpWith(h, none)).toBe("198.51.100.7");
    expect(clientIpWith(h, proxies)).toBe("198.51.100.7");
  });

  it("from a trusted proxy, is the first untrusted hop from the right of the chain", () => {
    // A client forged the leftmost entry; nginx (10.0.0.5) appended the address it saw.
    const h = headers("10.0.0.5", { "x-forwarded-for": "6.6.6.6, 203.0.113.9" });
    expect(clientIpWith(h, proxies)).toBe("203.0.113.9");
  });

  it("walks past several trusted proxies, IPv4 and IPv6", () => {
    const h = headers("127.0.0.1", { "x-forwarded-for": "6.6.6.6, 2001:db8:1::9, fd00::2, 10.1.1.1" });
    expect(clientIpWith(h, proxies)).toBe("2001:db8:1::9");
  });

  it("is the leftmost hop when every hop is a trusted proxy and there is no X-Real-IP", () => {
    const h = headers("127.0.0.1", { "x-forwarded-for": "10.0.0.9, 10.0.0.8" });
    expect(clientIpWith(h, proxies)).toBe("10.0.0.9");
  });

  it("stops at a malformed hop: nothing left of it is believed", () => {
    const h = headers("127.0.0.1", { "x-forwarded-for": "6.6.6.6, not-an-ip, 10.0.0.8" });
    expect(clientIpWith(h, proxies)).toBe("10.0.0.8");
  });

  it("uses X-Real-IP from a trusted proxy when the chain holds only trusted hops", () => {
    expect(clientIpWith(headers("10.0.0.5", { "x-real-ip": "203.0.113.4" }), proxies)).toBe("203.0.113.4");
    // As Next passes it on: it adds the socket's address as X-Forwarded-For when none came.
    const viaNext = headers("10.0.0.5", { "x-forwarded-for": "10.0.0.5", "x-real-ip": "203.0.113.4" });
    expect(clientIpWith(viaNext, proxies)).toBe("203.0.113.4");
    expect(clientIpWith(headers("10.0.0.5", { "x-real-ip": "junk" }), proxies)).toBe("10.0.0.5");
    // An untrusted hop in the chain wins over X-Real-IP.
    const both = headers("10.0.0.5", { "x-forwarded-for": "203.0.113.9", "x-real-ip": "6.6.6.6" });
    expect(clientIpWith(both, proxies)).toBe("203.0.113.9");
  });

  it("matches IPv4-mapped IPv6 socket addresses against IPv4 blocks and reports them as IPv4", () => {
    const h = headers("::ffff:10.0.0.5", { "x-forwarded-for": "203.0.113.9" });
    expect(clientIpWith(h, proxies)).toBe("203.0.113.9");
    expect(clientIpWith(headers("::ffff:198.51.100.7"), none)).toBe("198.51.100.7");
  });

  it("does not trust an address just outside a block", () => {
    const h = headers("11.0.0.1", { "x-forwarded-for": "203.0.113.9" });
    expect(clientIpWith(h, proxies)).toBe("11.0.0.1");
    expect(clientIpWith(headers("2001:db8::2", { "x-forwarded-for": "203.0.113.9" }), proxies)).toBe(
      "2001:db8::2",
    );
  });

  it("without the socket hook (handlers called in-process), takes the last hop as the peer", () => {
    expect(clientIpWith(headers(null, { "x-forwarded-for": "203.0.113.9" }), none)).toBe("203.0.113.9");
    expect(clientIpWith(headers(null, { "x-forwarded-for": "6.6.6.6, 10.0.0.5" }), proxies)).toBe("6.6.6.6");
    expect(clientIpWith(headers(null), none)).toBeNull();
  });

  it("is null for a socket address that is not an IP", () => {
    expect(clientIpWith(headers(""), none)).toBeNull();
  });
});

describe("normalizeIp", () => {
  it("drops ports, brackets and zones, lowercases IPv6, refuses junk", () => {
    expect(normalizeIp(" 203.0.113.9:443 ")).toBe("203.0.113.9");
    expect(normalizeIp("[2001:DB8::1]:8443")).toBe("2001:db8::1");
    expect(normalizeIp("fe80::1%eth0")).toBe("fe80::1");
    expect(normalizeIp("::FFFF:192.0.2.1")).toBe("192.0.2.1");
    expect(normalizeIp("unknown")).toBeNull();
    expect(normalizeIp("1.2.3.4\u0000")).toBeNull();
    expect(normalizeIp(undefined)).toBeNull();
  });
});

describe("isHttps", () => {
  it("believes X-Forwarded-Proto only from a trusted proxy", () => {
    expect(isHttpsWith(headers("10.0.0.5", { "x-forwarded-proto": "https" }), proxies)).toBe(true);
    expect(isHttpsWith(headers("198.51.100.7", { "x-forwarded-proto": "https" }), proxies)).toBe(false);
    expect(isHttpsWith(headers("10.0.0.5", { "x-forwarded-proto": "http" }), proxies)).toBe(false);
  });

  it("is true for a TLS socket", () => {
    const h = headers("198.51.100.7");
    h.set(PEER_TLS_HEADER, "1");
    expect(isHttpsWith(h, none)).toBe(true);
  });
});
