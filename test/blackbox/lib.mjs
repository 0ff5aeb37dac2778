// Helpers of the black-box review (issue 7): plain HTTP against a running console, no imports
// from the product. Every response body is kept so the secrets sweep can grep it afterwards.
import { createHmac, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";

export const BASE = process.env.BB_BASE ?? "http://127.0.0.1:3917";
export const ORIGIN = new URL(BASE).origin;

export const results = [];
export const bodies = [];

export function check(name, ok, detail) {
  results.push({ name, ok: !!ok, detail: ok ? undefined : detail });
  const mark = ok ? "PASS" : "FAIL";
  console.log(
    `${mark} ${name}${ok ? "" : `  -- ${typeof detail === "string" ? detail : JSON.stringify(detail)}`}`,
  );
  return !!ok;
}

export function section(title) {
  console.log(`\n== ${title}`);
}

/** One HTTP call. `body`: an object (sent as JSON), a string or Buffer (sent as is), or undefined. */
export async function http(method, path, { cookie, body, headers = {}, json = true } = {}) {
  const h = { ...headers };
  if (cookie) h.cookie = cookie.header();
  let payload;
  if (body !== undefined) {
    if (typeof body === "string" || Buffer.isBuffer(body)) payload = body;
    else payload = JSON.stringify(body);
    if (json && !Object.keys(h).some((k) => k.toLowerCase() === "content-type"))
      h["content-type"] = "application/json";
  }
  const res = await fetch(path.startsWith("http") ? path : BASE + path, {
    method,
    headers: h,
    body: payload,
    redirect: "manual",
  });
  if (cookie) cookie.absorb(res);
  const text = await res.text();
  bodies.push({ method, path, status: res.status, text, headers: Object.fromEntries(res.headers) });
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  return { status: res.status, headers: res.headers, text, data };
}

export class Jar {
  constructor() {
    this.map = new Map();
  }
  absorb(res) {
    for (const c of res.headers.getSetCookie?.() ?? []) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      if (!value || /max-age=0/i.test(c) || /expires=Thu, 01 Jan 1970/i.test(c)) this.map.delete(name);
      else this.map.set(name, value);
    }
  }
  header() {
    return [...this.map].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

export const ROLES = {
  admin: ["admin@handoff.local", "handoff-admin"],
  partnerships: ["partnerships@handoff.local", "handoff-partnerships"],
  officer: ["officer@handoff.local", "handoff-officer"],
  auditor: ["auditor@handoff.local", "handoff-auditor"],
};

/**
 * The Auth.js credentials flow, as a script would do it: a fresh jar, its CSRF token, the sign-in
 * POST. Returns the jar and the sign-in's response (not checked: a one-time password signs in too).
 */
export async function signIn(email, password, { callbackUrl = BASE + "/" } = {}) {
  const jar = new Jar();
  const csrf = await http("GET", "/api/auth/csrf", { cookie: jar });
  const res = await http("POST", "/api/auth/callback/credentials", {
    cookie: jar,
    json: false,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email, password, csrfToken: csrf.data.csrfToken, callbackUrl }).toString(),
  });
  return { jar, res };
}

/** A seeded role signed in; throws unless the sign-in gave a working session. */
export async function login(role) {
  const [email, password] = ROLES[role];
  const { jar, res } = await signIn(email, password);
  if (![302, 303, 200].includes(res.status))
    throw new Error(`login ${role}: ${res.status} ${res.text.slice(0, 200)}`);
  const me = await http("GET", "/api/applications", { cookie: jar });
  if (me.status !== 200)
    throw new Error(`login ${role} did not give a session: ${me.status} ${me.text.slice(0, 200)}`);
  return jar;
}

/** Standard Webhooks headers for a partner request. */
export function partnerHeaders(partnerId, secret, body = "", { id, timestamp } = {}) {
  const msgId = id ?? `msg_${randomBytes(10).toString("hex")}`;
  const ts = timestamp ?? Math.floor(Date.now() / 1000);
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const sig = createHmac("sha256", key).update(`${msgId}.${ts}.${body}`).digest("base64");
  return {
    "handoff-partner-id": partnerId,
    "webhook-id": msgId,
    "webhook-timestamp": String(ts),
    "webhook-signature": `v1,${sig}`,
  };
}

export function verifyStandardWebhook(secret, headers, raw) {
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const expected = createHmac("sha256", key)
    .update(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${raw}`)
    .digest("base64");
  const sigs = String(headers["webhook-signature"] ?? "")
    .split(" ")
    .map((s) => s.replace(/^v1,/, ""));
  const fresh = Math.abs(Date.now() / 1000 - Number(headers["webhook-timestamp"])) <= 300;
  return fresh && sigs.includes(expected);
}

/** Didit's X-Signature-V2: whole floats as integers, keys sorted at every level, compact, UTF-8. */
export function diditCanonical(value) {
  if (Array.isArray(value)) return `[${value.map(diditCanonical).join(",")}]`;
  if (value && typeof value === "object") {
    const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((k) => `${JSON.stringify(k)}:${diditCanonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
export function diditSign(secret, body) {
  return createHmac("sha256", secret).update(diditCanonical(body)).digest("hex");
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function until(fn, { timeoutMs = 30_000, everyMs = 500 } = {}) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await sleep(everyMs);
  }
  return last;
}

export function isEnvelope(r) {
  return (
    r.data &&
    typeof r.data.error === "object" &&
    typeof r.data.error.code === "string" &&
    typeof r.data.error.message === "string"
  );
}

/** The end of a review: the count and every failure printed, `results` written to `path`, exit 1 on any failure. */
export function finish(path) {
  const failed = results.filter((r) => !r.ok);
  console.log(`\n${results.length - failed.length} passed, ${failed.length} failed`);
  for (const f of failed)
    console.log(
      `FAIL ${f.name}: ${typeof f.detail === "string" ? f.detail : JSON.stringify(f.detail)?.slice(0, 400)}`,
    );
  writeFileSync(path, JSON.stringify(results, null, 1));
  process.exit(failed.length ? 1 : 0);
}
