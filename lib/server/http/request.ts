import "server-only";
import { randomUUID } from "node:crypto";

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{8,100}$/;

/** Reuses a well-formed incoming `x-request-id` (from a proxy), else mints one. */
export function requestIdFrom(headers: Headers): string {
  const incoming = headers.get("x-request-id");
  return incoming && REQUEST_ID_RE.test(incoming) ? incoming : randomUUID();
}

export function clientIp(headers: Headers): string | null {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || headers.get("x-real-ip") || null;
}

export function userAgent(headers: Headers): string | null {
  return headers.get("user-agent")?.slice(0, 512) ?? null;
}
