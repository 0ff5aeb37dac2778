/**
 * First-load JavaScript per console route: the scripts a page's HTML loads up front (every
 * `<script src>` the server sent, `async` ones included), each fetched and gzipped at level 9.
 *
 *   npx tsx bench/first-load-js.ts [origin] [--budget 150] [--verbose]
 *
 * With an origin (e.g. http://127.0.0.1:3100) it measures that running `next start`, whose
 * database must hold the seeded demo users. Without one it builds nothing: it starts the existing
 * `.next` build with e2e/start-server.mjs (fresh embedded database, demo users) on port
 * $E2E_PORT (3100), and stops it at the end; run it under `flock /tmp/handoff-build.lock`.
 * Signs in through the login page in Chromium (admin, then officer for the 403 view), reads each
 * page's HTML with the session's cookies, and prints a table in KiB. Exits 1 when a route is over
 * the budget. --verbose lists each route's scripts with their sizes first.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { chromium, type APIRequestContext, type Browser } from "@playwright/test";
import { ROLE_USERS, type E2ERole } from "../e2e/users";

type Probe = { label: string; path: string; as: E2ERole | null; status: number };

const PROBES: Probe[] = [
  { label: "/login (signed out)", path: "/login", as: null, status: 200 },
  { label: "404 (signed out)", path: "/no-such-page", as: null, status: 404 },
  { label: "/ (admin)", path: "/", as: "admin", status: 200 },
  { label: "/audit (admin)", path: "/audit", as: "admin", status: 200 },
  { label: "/admin/users (admin)", path: "/admin/users", as: "admin", status: 200 },
  { label: "/account/password (admin)", path: "/account/password", as: "admin", status: 200 },
  { label: "404 (admin)", path: "/no-such-page", as: "admin", status: 404 },
  { label: "/ (officer)", path: "/", as: "officer", status: 200 },
  { label: "/sessions (officer)", path: "/sessions", as: "officer", status: 200 },
  { label: "/shares (officer)", path: "/shares", as: "officer", status: 200 },
  { label: "/inbox (officer)", path: "/inbox", as: "officer", status: 200 },
  { label: "/reviews (officer)", path: "/reviews", as: "officer", status: 200 },
  { label: "/partners (partnerships)", path: "/partners", as: "partnerships", status: 200 },
  { label: "/partners/new (partnerships)", path: "/partners/new", as: "partnerships", status: 200 },
  { label: "/applications (admin)", path: "/applications", as: "admin", status: 200 },
  { label: "403 /admin/users (officer)", path: "/admin/users", as: "officer", status: 403 },
];

const KIB = 1024;

/**
 * The `src` of every script tag in the HTML, in document order, without repeats; `nomodule` ones
 * (Next's legacy polyfills) are left out, since a browser with modules never fetches them.
 */
export function scriptSources(html: string, origin: string): string[] {
  const sources = new Set<string>();
  for (const match of html.matchAll(/<script\b[^>]*?\ssrc=(?:"([^"]*)"|'([^']*)')[^>]*>/gi)) {
    if (/\snomodule\b/i.test(match[0])) continue;
    const src = (match[1] ?? match[2] ?? "").replaceAll("&amp;", "&");
    if (src) sources.add(new URL(src, origin).href);
  }
  return [...sources];
}

async function waitForHealth(origin: string, server: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}`);
    try {
      if ((await fetch(`${origin}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${origin} did not answer /api/health within ${timeoutMs / 1000} s`);
}

async function signedInRequest(browser: Browser, origin: string, role: E2ERole | null) {
  const context = await browser.newContext({ baseURL: origin });
  if (role) {
    const page = await context.newPage();
    await page.goto("/login");
    await page.getByLabel("Email").fill(ROLE_USERS[role].email);
    await page.getByLabel("Password").fill(ROLE_USERS[role].password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.pathname === "/", { timeout: 30_000 });
    await page.close();
  }
  return context;
}

async function gzippedSize(request: APIRequestContext, url: string, cache: Map<string, number>) {
  const known = cache.get(url);
  if (known !== undefined) return known;
  const response = await request.get(url);
  if (!response.ok()) throw new Error(`${url} answered ${response.status()}`);
  const size = gzipSync(await response.body(), { level: 9 }).length;
  cache.set(url, size);
  return size;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      budget: { type: "string", default: "150" },
      verbose: { type: "boolean", short: "v" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log("Usage: npx tsx bench/first-load-js.ts [origin] [--budget KiB] [--verbose]");
    return 0;
  }
  const budget = Number(values.budget);
  let origin = positionals[0]?.replace(/\/$/, "");
  let server: ChildProcess | null = null;
  if (!origin) {
    const port = process.env.E2E_PORT ?? "3100";
    origin = `http://127.0.0.1:${port}`;
    server = spawn("node", [path.join(import.meta.dirname, "..", "e2e", "start-server.mjs")], {
      env: { ...process.env, E2E_PORT: port },
      stdio: ["ignore", "ignore", "inherit"],
      detached: true,
    });
    await waitForHealth(origin, server, 180_000);
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  try {
    const sizes = new Map<string, number>();
    const contexts = new Map<E2ERole | null, Awaited<ReturnType<typeof signedInRequest>>>();
    const rows: { label: string; status: number; scripts: number; kib: number }[] = [];
    for (const probe of PROBES) {
      let context = contexts.get(probe.as);
      if (!context) {
        context = await signedInRequest(browser, origin, probe.as);
        contexts.set(probe.as, context);
      }
      const response = await context.request.get(probe.path, { maxRedirects: 0 });
      if (response.status() !== probe.status) {
        throw new Error(`${probe.label}: expected HTTP ${probe.status}, got ${response.status()}`);
      }
      const sources = scriptSources(await response.text(), origin);
      let total = 0;
      for (const src of sources) {
        const size = await gzippedSize(context.request, src, sizes);
        total += size;
        if (values.verbose)
          console.log(`${probe.label}\t${(size / KIB).toFixed(1)}\t${new URL(src).pathname}`);
      }
      rows.push({ label: probe.label, status: probe.status, scripts: sources.length, kib: total / KIB });
    }
    const width = Math.max(...rows.map((row) => row.label.length));
    console.log(`First-load JS (gzip -9) at ${origin}, budget ${budget} KiB\n`);
    console.log(`| ${"route".padEnd(width)} | HTTP | scripts | KiB gzip |`);
    console.log(`| ${"-".repeat(width)} | ---- | ------- | -------- |`);
    for (const row of rows) {
      const flag = row.kib > budget ? " over" : "";
      console.log(
        `| ${row.label.padEnd(width)} | ${row.status}  | ${String(row.scripts).padStart(7)} | ${row.kib.toFixed(1).padStart(8)} |${flag}`,
      );
    }
    return rows.some((row) => row.kib > budget) ? 1 : 0;
  } finally {
    await browser.close();
    if (server?.pid) process.kill(-server.pid, "SIGTERM");
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
