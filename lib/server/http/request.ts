import "server-only";
import { randomUUID } from "node:crypto";
import { BlockList, isIP } from "node:net";
import { getEnv } from "@/lib/env";
import { PEER_ADDRESS_HEADER, PEER_TLS_HEADER } from "./peer-address";

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{8,100}$/;

/** Reuses a well-formed incoming `x-request-id` (from a proxy), else mints one. */
export function requestIdFrom(headers: Headers): string {
  const incoming = headers.get("x-request-id");
  return incoming && REQUEST_ID_RE.test(incoming) ? incoming : randomUUID();
}

/** A bare IP address (IPv4-mapped IPv6 as IPv4, zone and brackets dropped), or null. */
export function normalizeIp(value: string | null | undefined): string | null {
  if (!value) return null;
  let v = value.trim();
  if (v.startsWith("[")) v = v.slice(1, v.indexOf("]") === -1 ? undefined : v.indexOf("]"));
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(v)) v = v.slice(0, v.lastIndexOf(":"));
  const zone = v.indexOf("%");
  if (zone !== -1) v = v.slice(0, zone);
  const mapped = /^::ffff:(\d{1,3}(\.\d{1,3}){3})$/i.exec(v);
  if (mapped) v = mapped[1]!;
  return isIP(v) === 0 ? null : v.toLowerCase();
}

export function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = "", prefix] = entry.split("/");
    const type = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

function isTrusted(list: BlockList, ip: string): boolean {
  return list.check(ip, isIP(ip) === 6 ? "ipv6" : "ipv4");
}

const cache = globalThis as unknown as { __handoffTrustedProxies?: { key: string; list: BlockList } };

function configuredProxies(): BlockList {
  const entries = getEnv().TRUSTED_PROXIES;
  const key = entries.join(",");
  if (cache.__handoffTrustedProxies?.key !== key) {
    cache.__handoffTrustedProxies = { key, list: trustedProxyList(entries) };
  }
  return cache.__handoffTrustedProxies.list;
}

/**
 * The address of the peer that opened the connection: the header the peer-address hook sets from
 * the socket (a client cannot supply it: the hook overwrites it). Without the hook (handlers called
 * in-process), the last `x-forwarded-for` hop, which is what Next sets from the socket when the
 * request came without one.
 */
function peerAddress(headers: Headers): string | null {
  const peer = headers.get(PEER_ADDRESS_HEADER);
  if (peer !== null) return normalizeIp(peer);
  const hops = headers.get("x-forwarded-for")?.split(",") ?? [];
  return normalizeIp(hops[hops.length - 1]);
}

/**
 * The client's IP address. `x-forwarded-for` and `x-real-ip` are believed only when the connection
 * came from a trusted proxy (TRUSTED_PROXIES); the chain is walked from the right, past trusted
 * proxies, to the first address that is not one (else X-Real-IP, else the leftmost hop).
 */
export function clientIpWith(headers: Headers, trusted: BlockList): string | null {
  const peer = peerAddress(headers);
  if (!peer || !isTrusted(trusted, peer)) return peer;
  let client = peer;
  const hops = headers.get("x-forwarded-for")?.split(",") ?? [];
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeIp(hops[i]);
    // A malformed hop breaks the chain: nothing left of it can be believed.
    if (!hop) break;
    client = hop;
    if (!isTrusted(trusted, hop)) return client;
  }
  // Only trusted hops (Next adds the socket's address when a proxy sent no X-Forwarded-For):
  // a proxy that names the client in X-Real-IP alone is believed.
  return normalizeIp(headers.get("x-real-ip")) ?? client;
}

export function clientIp(headers: Headers): string | null {
  return clientIpWith(headers, configuredProxies());
}

/**
 * Whether the browser reached us over https: a TLS socket, or `x-forwarded-proto: https` set by
 * a trusted proxy (a client's own claim is ignored).
 */
export function isHttpsWith(headers: Headers, trusted: BlockList): boolean {
  if (headers.get(PEER_TLS_HEADER) === "1") return true;
  const proto = headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  if (proto !== "https") return false;
  const peer = peerAddress(headers);
  return !!peer && isTrusted(trusted, peer);
}

export function isHttps(headers: Headers): boolean {
  return isHttpsWith(headers, configuredProxies());
}

export function userAgent(headers: Headers): string | null {
  return headers.get("user-agent")?.slice(0, 512) ?? null;
}
