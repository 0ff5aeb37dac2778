// Black-box review of issue 8 ("Receiving and review") over HTTP against a fresh `next start` of the
// embedded default: the inbox, import, the review queue, assignment, decisions (four eyes), the
// media route, the partner inbox and the adopted partner secret, as an outside security reviewer.
// Usage: BB_BASE=http://127.0.0.1:3831 BB_DATA=/tmp/h6-data node test/blackbox/review.mjs
// Nothing here imports the product. It shares sessions of the demo, imports them, decides clones
// and deletes one clone at the sandbox: run it on a throw-away data directory.
import { readFileSync, writeFileSync } from "node:fs";
import { randomBytes, randomUUID } from "node:crypto";
import {
  bodies,
  check,
  finish,
  http,
  isEnvelope,
  login,
  partnerHeaders,
  section,
  signIn,
  until,
} from "./lib.mjs";

const DATA = process.env.BB_DATA ?? "/tmp/h6-data";
const demo = JSON.parse(readFileSync(`${DATA}/sandbox-demo.json`, "utf8"));
const needles = demo.applications.map((a) => a.api_key).filter(Boolean);

const jars = {};
for (const role of ["admin", "partnerships", "officer", "auditor"]) jars[role] = await login(role);
const { admin, partnerships, officer, auditor } = jars;
const ROLE_NAMES = ["admin", "partnerships", "officer", "auditor"];
const EVIL = { origin: "https://evil.example", "sec-fetch-site": "cross-site" };
const short = (r) => `${r.status} ${r.text.slice(0, 200)}`;
const idOf = (p) => p.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "{id}");

async function auditTop() {
  const r = await http("GET", "/api/audit?limit=1", { cookie: admin });
  return r.data?.items?.[0]?.seq ?? 0;
}
/** The import as the review page reads it, without the volatile parts (time left, Didit's sides). */
async function importState(id) {
  const r = await http("GET", `/api/imports/${id}`, { cookie: auditor });
  const d = r.data ?? {};
  return JSON.stringify({
    status: d.status,
    assignee: d.assignee?.id ?? null,
    decisions: (d.decisions ?? []).map((x) => [x.id, x.state, x.status, x.secondBy?.id ?? null]),
    pending: d.pendingProposal?.id ?? null,
  });
}

/** The import once Didit's webhook has set its status to `status` (30 s at most), else null. */
const statusBecomes = (id, status) =>
  until(
    async () => {
      const x = await http("GET", `/api/imports/${id}`, { cookie: auditor });
      return x.data?.status === status ? x : null;
    },
    { timeoutMs: 30_000, everyMs: 1000 },
  );

// ---------------------------------------------------------------------------------------------
section("set-up: the demo's sister brands");
const apps = await until(
  async () => {
    const r = await http("GET", "/api/applications", { cookie: admin });
    const items = r.data?.items;
    return Array.isArray(items) && items.length >= 2 && items.every((a) => a.sync?.backfilledAt)
      ? items
      : null;
  },
  { timeoutMs: 180_000, everyMs: 2000 },
);
check("two demo applications backfilled", !!apps);
const bank = apps.find((a) => a.name.includes("Bank"));
const pay = apps.find((a) => a.name.includes("Pay"));
const bankDemo = demo.applications.find((a) => a.name.includes("Bank"));
const payDemo = demo.applications.find((a) => a.name.includes("Pay"));
const partnersList = (await http("GET", "/api/partners?limit=100", { cookie: auditor })).data.items;
const bankToPay = partnersList.find(
  (p) => p.applicationId === bank.id && p.diditApplicationId === payDemo.application_id,
);
const payFromBank = partnersList.find(
  (p) => p.applicationId === pay.id && p.diditApplicationId === bankDemo.application_id,
);
check("Bank → Pay and Pay ← Bank partners", !!bankToPay && !!payFromBank, partnersList);

const approved = (
  await http("GET", `/api/sessions?applicationId=${bank.id}&kind=user&status=Approved&limit=40`, {
    cookie: officer,
  })
).data.items.map((s) => s.sessionId ?? s.diditSessionId);
check("approved KYC sessions of the Bank to share", approved.length >= 12, approved.length);
let nextSession = 0;

/** Bank shares a fresh session to Pay (internal): the Pay inbox item's id. */
async function received() {
  const share = await http("POST", "/api/shares", {
    cookie: officer,
    body: { sessionId: approved[nextSession++], partnerId: bankToPay.id },
  });
  if (share.status !== 201) throw new Error(`share: ${short(share)}`);
  const item = await until(
    async () => {
      const r = await http("GET", `/api/inbox?applicationId=${pay.id}&q=${share.data.id}`, {
        cookie: officer,
      });
      return r.data?.items?.find((i) => i.senderShareId === share.data.id) ?? null;
    },
    { timeoutMs: 20_000 },
  );
  if (!item) throw new Error(`share ${share.data.id} never reached Pay's inbox`);
  return item.id;
}
/** A clone In Review at Pay (imported with trust_review off): the import. */
async function clone(opts = {}) {
  const itemId = await received();
  const r = await http("POST", `/api/inbox/${itemId}/import`, {
    cookie: opts.as ?? officer,
    body: { trustReview: opts.trustReview ?? false },
  });
  if (r.status !== 201 || r.data?.state !== "imported") throw new Error(`import: ${short(r)}`);
  return r.data;
}

const first = await clone();
check("a clone imported In Review", first.statusAtImport === "In Review", first);
const detail = await http("GET", `/api/imports/${first.id}`, { cookie: officer });
check("GET /api/imports/{id} 200", detail.status === 200, short(detail));
const mediaUrls = [...detail.text.matchAll(/\/api\/imports\/[0-9a-f-]{36}\/media\/[A-Za-z0-9_-]+/g)].map(
  (m) => m[0],
);
check("the review page's media go through our route", mediaUrls.length >= 2, mediaUrls);
check(
  "no Didit URL or key in the review page's data",
  !/https?:\/\/[^"]*\/sandbox\/media/.test(detail.text) && !needles.some((n) => detail.text.includes(n)),
  detail.text.slice(0, 300),
);

// ---------------------------------------------------------------------------------------------
section("every role: the new routes");
{
  const proposalFor = await clone(); // used by decision/reject below, never decided here
  const routes = [
    ["GET", "/api/imports?status=In%20Review", undefined, ROLE_NAMES],
    ["GET", `/api/imports/${first.id}`, undefined, ROLE_NAMES],
    ["GET", mediaUrls[0], undefined, ROLE_NAMES],
    ["GET", "/api/inbox", undefined, ROLE_NAMES],
    ["POST", `/api/imports/${first.id}/assign`, { assigneeId: "me" }, ["officer"]],
    [
      "POST",
      `/api/imports/${proposalFor.id}/decision`,
      { status: "Declined", comment: "x" },
      ["officer"],
      "no-allowed-call",
    ],
    [
      "POST",
      `/api/imports/${proposalFor.id}/decision/reject`,
      { comment: "x" },
      ["officer"],
      "no-allowed-call",
    ],
    ["POST", "/api/inbox", { token: "a.b.c" }, ["officer"]],
    ["POST", `/api/inbox/${randomUUID()}/reject`, { reason: "x" }, ["officer"]],
    ["POST", `/api/inbox/${randomUUID()}/import`, {}, ["officer"]],
    [
      "POST",
      `/api/partners/${payFromBank.id}/secret`,
      { overlapHours: 1 },
      ["partnerships"],
      "no-allowed-call",
    ],
  ];
  for (const [method, path, body, allowed, mode] of routes) {
    for (const role of ROLE_NAMES) {
      const denied = !allowed.includes(role);
      if (!denied && mode === "no-allowed-call") continue;
      const seq = await auditTop();
      const before = path.includes(proposalFor.id) ? await importState(proposalFor.id) : null;
      const r = await http(method, path, { cookie: jars[role], body });
      const ok = denied
        ? r.status === 403 && r.data?.error?.code === "forbidden"
        : r.status !== 401 && r.status !== 403 && r.status < 500;
      check(`${role} ${method} ${idOf(path)} → ${denied ? "403" : "not denied"}`, ok, short(r));
      if (denied) {
        const after = before === null ? null : await importState(proposalFor.id);
        check(
          `${role} ${method} ${idOf(path)}: nothing changed, nothing audited`,
          (await auditTop()) === seq && before === after,
          { before, after },
        );
      }
    }
    const anon = await http(method, path, { body });
    check(
      `anonymous ${method} ${idOf(path)} → 401 envelope`,
      anon.status === 401 && isEnvelope(anon),
      short(anon),
    );
  }
  globalThis.spare = proposalFor;
}

// ---------------------------------------------------------------------------------------------
section("cross-origin state changes are refused");
{
  const target = globalThis.spare;
  const posts = [
    [`/api/imports/${target.id}/assign`, { assigneeId: "me" }],
    [`/api/imports/${target.id}/decision`, { status: "Approved" }],
    [`/api/imports/${target.id}/decision/reject`, { comment: "x" }],
    [`/api/inbox/${await received()}/import`, {}],
    ["/api/inbox", { token: "a.b.c" }],
  ];
  for (const [path, body] of posts) {
    const seq = await auditTop();
    const before = await importState(target.id);
    for (const headers of [
      EVIL,
      { origin: "https://evil.example" },
      { "sec-fetch-site": "cross-site" },
      { origin: "null" },
    ]) {
      const r = await http("POST", path, { cookie: officer, body, headers });
      check(
        `cross-origin ${JSON.stringify(headers)} POST ${idOf(path)} → 403`,
        r.status === 403 && r.data?.error?.code === "cross_origin_refused",
        short(r),
      );
    }
    const plain = await http("POST", path, {
      cookie: officer,
      body: JSON.stringify(body),
      headers: { "content-type": "text/plain" },
    });
    check(`text/plain POST ${idOf(path)} → 415`, plain.status === 415, short(plain));
    check(
      `refused POST ${idOf(path)} changed nothing`,
      (await auditTop()) === seq && (await importState(target.id)) === before,
    );
  }
}

// ---------------------------------------------------------------------------------------------
section("methods, odd paths, queries, bodies");
{
  const id = first.id;
  const routes = {
    "/api/imports": ["GET"],
    [`/api/imports/${id}`]: ["GET"],
    [mediaUrls[0]]: ["GET"],
    [`/api/imports/${id}/assign`]: ["POST"],
    [`/api/imports/${id}/decision`]: ["POST"],
    [`/api/imports/${id}/decision/reject`]: ["POST"],
    "/api/inbox": ["GET", "POST"],
    [`/api/inbox/${randomUUID()}`]: ["GET"],
    [`/api/inbox/${randomUUID()}/reject`]: ["POST"],
    [`/api/inbox/${randomUUID()}/import`]: ["POST"],
    [`/api/partner/v1/inbox/${payFromBank.id}`]: ["POST"],
  };
  for (const [path, allowed] of Object.entries(routes)) {
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"].filter((m) => !allowed.includes(m))) {
      const r = await http(method, path, {
        cookie: officer,
        body: method === "GET" ? undefined : "{}",
        headers: method === "GET" ? {} : { "content-type": "application/json" },
      });
      const allow = r.headers.get("allow") ?? "";
      check(
        `${method} ${idOf(path)} → 405 JSON with Allow`,
        r.status === 405 &&
          r.data?.error?.code === "method_not_allowed" &&
          allowed.every((m) => allow.includes(m)),
        `${r.status} allow=${allow} ${r.text.slice(0, 120)}`,
      );
    }
  }

  const odd = [
    "/api/imports/%ff",
    "/api/imports/%ff%fe/decision",
    "/api/imports/not-a-uuid",
    "/api/imports/not-a-uuid/decision",
    "/api/imports/%00",
    `/api/imports/${id}%00`,
    "/api/imports/" + "a".repeat(5000),
    `/api/imports/${id}/media/`,
    `/api/imports/${id}/media/%ff`,
    `/api/imports/${id}/media/..%2f..%2fetc%2fpasswd`,
    `/api/imports/${id}/media/${"A".repeat(3000)}`,
    `/api/imports/${id}/nope`,
    `/api/imports/${id}/decision/nope`,
    "/api/inbox/%ff",
    "/api/inbox/not-a-uuid/import",
  ];
  for (const path of odd) {
    for (const method of ["GET", "POST"]) {
      const r = await http(method, path, {
        cookie: officer,
        body: method === "POST" ? { status: "Approved" } : undefined,
      });
      check(
        `odd path ${method} ${idOf(path).slice(0, 70)} → 4xx envelope`,
        r.status >= 400 && r.status < 500 && isEnvelope(r),
        short(r),
      );
    }
  }
  // Pages with an undecodable path: Next's router answered a bare 500 for dynamic segments.
  for (const path of ["/reviews/%ff", "/reviews/%c0%80", "/shares/%ff", "/partners/%ff%fe", "/inbox/%ff"]) {
    for (const [who, jar] of [
      ["anonymous", undefined],
      ["officer", officer],
    ]) {
      const r = await http("GET", path, { cookie: jar });
      check(
        `page ${path} as ${who} → 4xx or a redirect to sign in, not 5xx`,
        (r.status >= 400 && r.status < 500) || (r.status >= 300 && r.status < 400),
        `${r.status} ${r.text.slice(0, 80)}`,
      );
    }
  }
  // Trailing slashes reach the same handlers (skipTrailingSlashRedirect): same answers, no 308.
  for (const [method, path, body] of [
    ["GET", "/api/imports/", undefined],
    ["GET", `/api/imports/${id}/`, undefined],
    ["POST", `/api/imports/${id}/assign/`, { assigneeId: "me" }],
    ["POST", `/api/imports/${globalThis.spare.id}/decision/`, { status: "Declined" }],
  ]) {
    const r = await http(method, path, { cookie: officer, body });
    check(
      `trailing slash ${method} ${idOf(path)} answered, not redirected`,
      r.status < 300 || (r.status === 422 && isEnvelope(r)),
      short(r),
    );
  }

  const y275760 = Buffer.from(`+275760-09-13T00:00:00.000Z|${randomUUID()}`).toString("base64url");
  const y0000 = Buffer.from(`0000-01-01T00:00:00.000Z|${randomUUID()}`).toString("base64url");
  const feb30 = Buffer.from(`2026-02-30T00:00:00.000Z|${randomUUID()}`).toString("base64url");
  for (const q of [
    "status=%00",
    "q=%00",
    "q=a%00b",
    "assignee=%00",
    "partnerId=%00",
    "overdue=%ff",
    "kind=%ff%fe",
    "limit=1e309",
    "limit=-1",
    "limit=%00",
    "sort=%00",
    "cursor=%00",
    "cursor=garbage",
    `cursor=q${y275760}`,
    `cursor=q${y0000}`,
    `cursor=n${y275760}`,
    `cursor=q${feb30}`,
    "status=In%20Review&status=Approved",
    "unknown=1",
    `q=${"x".repeat(8000)}`,
  ]) {
    const r = await http("GET", `/api/imports?${q}`, { cookie: auditor });
    check(
      `GET /api/imports?${q.slice(0, 50)} → 4xx envelope (or 200)`,
      (r.status === 422 && isEnvelope(r)) || (r.status === 400 && isEnvelope(r)) || r.status === 200,
      short(r),
    );
  }
  for (const q of ["limit=1e309", "cursor=%00", "q=%00", "state=%00", `cursor=${y275760}`]) {
    const r = await http("GET", `/api/inbox?${q}`, { cookie: auditor });
    check(`GET /api/inbox?${q} → 422 envelope`, r.status === 422 && isEnvelope(r), short(r));
  }

  const target = globalThis.spare.id;
  const before = await importState(target);
  const seq = await auditTop();
  const bad = [
    [`/api/imports/${target}/decision`, { status: "Approved\u0000" }],
    [`/api/imports/${target}/decision`, { status: "Declined", comment: "no\u0000pe" }],
    [`/api/imports/${target}/decision`, { status: "Declined" }],
    [`/api/imports/${target}/decision`, { status: "Declined", comment: "   " }],
    [`/api/imports/${target}/decision`, { status: "In Review" }],
    [`/api/imports/${target}/decision`, { status: "Approved", comment: "x".repeat(1001) }],
    [`/api/imports/${target}/decision`, { status: "Approved", decidedAt: "275760-09-13" }],
    [`/api/imports/${target}/decision`, { status: "Approved", extra: 1 }],
    [`/api/imports/${target}/decision`, ["Approved"]],
    [`/api/imports/${target}/decision`, "{"],
    [`/api/imports/${target}/decision`, "null"],
    [`/api/imports/${target}/assign`, { assigneeId: "\u0000" }],
    [`/api/imports/${target}/assign`, { assigneeId: randomUUID() }],
    [`/api/imports/${target}/assign`, { assigneeId: "ME" }],
    [`/api/imports/${target}/assign`, '{"assigneeId":1e309}'],
    [`/api/imports/${target}/assign`, {}],
    [`/api/imports/${target}/decision/reject`, { comment: "" }],
    [`/api/imports/${target}/decision/reject`, { comment: "a\u0000" }],
    [`/api/imports/${target}/decision/reject`, { comment: "no proposal here" }],
  ];
  for (const [path, body] of bad) {
    const r = await http("POST", path, { cookie: officer, body });
    check(
      `bad body ${idOf(path)} ${JSON.stringify(body).slice(0, 50)} → 4xx envelope`,
      r.status >= 400 && r.status < 500 && isEnvelope(r),
      short(r),
    );
  }
  for (const path of [
    `/api/imports/${target}/decision`,
    `/api/imports/${target}/assign`,
    `/api/imports/${target}/decision/reject`,
    "/api/inbox",
    `/api/inbox/${randomUUID()}/import`,
  ]) {
    const big = JSON.stringify({ status: "Declined", comment: "x".repeat(1024 * 1024) });
    const r = await http("POST", path, { cookie: officer, body: big });
    check(`1 MB body POST ${idOf(path)} → 413`, r.status === 413 && isEnvelope(r), short(r));
  }
  const huge = "x".repeat(1024 * 1024 + 10);
  const partner = await http("POST", `/api/partner/v1/inbox/${payFromBank.id}`, {
    body: huge,
    headers: {
      "content-type": "application/json",
      ...partnerHeaders(payFromBank.id, "whsec_" + "A".repeat(44), huge),
    },
  });
  check("1 MB push to the partner inbox → 413 or 401", [401, 413].includes(partner.status), short(partner));
  check(
    "bad input changed nothing on the import, audited nothing",
    (await importState(target)) === before && (await auditTop()) === seq,
  );
}

// ---------------------------------------------------------------------------------------------
section("the media route with forged refs");
{
  const id = first.id;
  const ref = mediaUrls[0].split("/").pop();
  const ok = await http("GET", mediaUrls[0], { cookie: auditor });
  check(
    "a real ref streams the image: no-store, nosniff, same-origin resource policy",
    ok.status === 200 &&
      /^image\//.test(ok.headers.get("content-type") ?? "") &&
      /no-store/.test(ok.headers.get("cache-control") ?? "") &&
      ok.headers.get("x-content-type-options") === "nosniff" &&
      ok.headers.get("cross-origin-resource-policy") === "same-origin",
    `${ok.status} ${ok.headers.get("content-type")} ${ok.headers.get("cache-control")} corp=${ok.headers.get("cross-origin-resource-policy")}`,
  );
  const b64 = (v) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");
  const forged = [
    ["path traversal", b64(["..", 0, "..", "etc", "passwd"])],
    ["traversal text", b64("../../etc/passwd")],
    ["a URL instead of a path", b64(["https://evil.example/x.png", 0, "a"])],
    ["a URL as the path's steps", b64(["id_verifications", 0, "http://127.0.0.1:3831/api/users"])],
    ["a field that is not a URL", b64(["id_verifications", 0, "first_name"])],
    ["the status", b64(["status", 0, "x"])],
    ["an index past the end", b64(["id_verifications", 99, "front_image"])],
    ["a negative index", b64(["id_verifications", -1, "front_image"])],
    ["__proto__", b64(["__proto__", 0, "constructor"])],
    ["constructor", b64(["id_verifications", 0, "constructor"])],
    ["non-canonical spelling", ref + "="],
    [
      "padded base64",
      Buffer.from(Buffer.from(ref, "base64url")).toString("base64").replace(/=+$/, "") + "==",
    ],
    ["too deep", b64(["a", 0, ...Array(20).fill("b")])],
  ];
  for (const [what, r] of forged) {
    const x = await http("GET", `/api/imports/${id}/media/${encodeURIComponent(r)}`, { cookie: auditor });
    check(`media ${what} → 404 envelope`, x.status === 404 && isEnvelope(x), short(x));
  }
  // Another import's ref names a path, not a file: on this import it serves this import's own file.
  const other = await clone();
  const otherDetail = await http("GET", `/api/imports/${other.id}`, { cookie: auditor });
  const otherRef = otherDetail.text.match(/\/api\/imports\/[0-9a-f-]{36}\/media\/([A-Za-z0-9_-]+)/)?.[1];
  const cross = await http("GET", `/api/imports/${id}/media/${otherRef}`, { cookie: auditor });
  check(
    "another import's ref on this import: this import's file or 404",
    [200, 404].includes(cross.status),
    short(cross),
  );
  const unknown = await http("GET", `/api/imports/${randomUUID()}/media/${ref}`, { cookie: auditor });
  check("a ref on an unknown import → 404", unknown.status === 404 && isEnvelope(unknown), short(unknown));
  globalThis.other = other;
}

// ---------------------------------------------------------------------------------------------
section("decisions: not In Review, twice, assignment");
{
  const trusted = await clone({ trustReview: true });
  const r = await http("POST", `/api/imports/${trusted.id}/decision`, {
    cookie: officer,
    body: { status: "Approved" },
  });
  check(
    `a clone not In Review (${trusted.statusAtImport}) → 409 not_in_review`,
    r.status === 409 && r.data?.error?.code === "not_in_review",
    short(r),
  );
  const a = globalThis.other;
  const me = await http("POST", `/api/imports/${a.id}/assign`, {
    cookie: officer,
    body: { assigneeId: "me" },
  });
  check("assign to me 200", me.status === 200 && !!me.data?.assignee, short(me));
  const toAuditor = await http("POST", `/api/imports/${a.id}/assign`, {
    cookie: officer,
    body: { assigneeId: randomUUID() },
  });
  check("assign to a user who is not an active officer → 422", toAuditor.status === 422, short(toAuditor));
  const d1 = await http("POST", `/api/imports/${a.id}/decision`, {
    cookie: officer,
    body: { status: "Approved", comment: "Documents check out" },
  });
  check(
    "approve 200 (sent to Didit)",
    d1.status === 200 && d1.data?.decision?.state !== "proposed",
    short(d1),
  );
  const d2 = await http("POST", `/api/imports/${a.id}/decision`, {
    cookie: officer,
    body: { status: "Declined", comment: "changed my mind" },
  });
  check(
    "a second decision → 409 (decision_pending or not_in_review)",
    d2.status === 409 && ["decision_pending", "not_in_review"].includes(d2.data?.error?.code),
    short(d2),
  );
  const confirmed = await statusBecomes(a.id, "Approved");
  check("Didit's webhook confirms: the clone is Approved", !!confirmed);
  const queue = await http("GET", "/api/imports?status=In%20Review&limit=100", { cookie: auditor });
  check(
    "the decided clone left the queue",
    queue.status === 200 && !queue.data.items.some((i) => i.id === a.id),
    short(queue),
  );
  const after = await http("POST", `/api/imports/${a.id}/decision`, {
    cookie: officer,
    body: { status: "Declined", comment: "too late" },
  });
  check("deciding an Approved clone → 409 not_in_review", after.status === 409, short(after));
}

// ---------------------------------------------------------------------------------------------
section("a Didit refusal of an import: failed at once, importable again");
{
  const itemId = await received();
  const r = await http("POST", `/api/inbox/${itemId}/import`, {
    cookie: officer,
    body: { workflowId: randomUUID() },
  });
  check(
    "a workflow Didit does not have → 422 workflow_not_found",
    r.status === 422 && r.data?.error?.code === "workflow_not_found",
    short(r),
  );
  const importId = r.data?.error?.details?.importId;
  const failed = await http("GET", `/api/imports/${importId}`, { cookie: auditor });
  check(
    "the import is failed and retryable at once (not left importing)",
    failed.status === 200 && failed.data?.state === "failed" && failed.data?.retryable === true,
    `${failed.status} state=${failed.data?.state} retryable=${failed.data?.retryable}`,
  );
  check(
    "its review sides answer without a clone (no 5xx)",
    failed.status === 200 && failed.data?.clone?.available === false,
    failed.data?.clone,
  );
  for (const [path, body, statuses] of [
    [`/api/imports/${importId}/assign`, { assigneeId: "me" }, [409]],
    [`/api/imports/${importId}/decision`, { status: "Approved" }, [409]],
    [`/api/imports/${importId}/decision/reject`, { comment: "x" }, [409]],
  ]) {
    const x = await http("POST", path, { cookie: officer, body });
    check(`${idOf(path)} on a failed import → 409`, statuses.includes(x.status) && isEnvelope(x), short(x));
  }
  const media = await http("GET", `${mediaUrls[0].replace(first.id, importId)}`, { cookie: auditor });
  check("media of a failed import → 404", media.status === 404 && isEnvelope(media), short(media));
  const again = await http("POST", `/api/inbox/${itemId}/import`, { cookie: officer, body: {} });
  check(
    "imported again with the partner's defaults → 201 imported",
    again.status === 201 && again.data?.state === "imported" && again.data?.id === importId,
    short(again),
  );
}

// ---------------------------------------------------------------------------------------------
section("four eyes with two officers");
{
  const email = `second-officer-${Date.now()}@handoff.local`;
  const created = await http("POST", "/api/users", {
    cookie: admin,
    body: { email, name: "Second Officer", role: "officer" },
  });
  check(
    "admin creates a second officer",
    created.status === 201 && created.data?.initialPassword,
    short(created),
  );
  const initial = created.data.initialPassword;
  needles.push(initial);
  const { jar: second } = await signIn(email, initial, { callbackUrl: "/" });
  const blocked = await http("GET", "/api/imports", { cookie: second });
  check("a one-time password must be changed first (403)", blocked.status === 403, short(blocked));
  const newPassword = `a brand new passphrase ${randomBytes(4).toString("hex")}`;
  const changed = await http("POST", "/api/account/password", {
    cookie: second,
    body: { currentPassword: initial, newPassword },
  });
  check("second officer changes the password", changed.status < 300, short(changed));
  const ok = await http("GET", "/api/imports", { cookie: second });
  check("second officer reads the queue", ok.status === 200, short(ok));

  const on = await http("PATCH", `/api/partners/${payFromBank.id}`, {
    cookie: partnerships,
    body: { requireFourEyes: true },
  });
  check("partnerships turns four eyes on for the Bank", on.status === 200, short(on));
  const c = await clone();
  const proposal = await http("POST", `/api/imports/${c.id}/decision`, {
    cookie: officer,
    body: { status: "Declined", comment: "The selfie does not match" },
  });
  check(
    "the first officer's decision is a proposal (202)",
    proposal.status === 202 && proposal.data?.decision?.state === "proposed",
    short(proposal),
  );
  const queue = await http("GET", "/api/imports?status=In%20Review&limit=5", { cookie: auditor });
  check(
    "a proposal is first in the queue",
    queue.data?.items?.[0]?.id === c.id,
    queue.data?.items?.map((i) => i.id),
  );
  const own = await http("POST", `/api/imports/${c.id}/decision`, {
    cookie: officer,
    body: { status: "Declined", comment: "me again" },
  });
  check(
    "the proposer cannot confirm (403 own_proposal)",
    own.status === 403 && own.data?.error?.code === "own_proposal",
    short(own),
  );
  const confirm = await http("POST", `/api/imports/${c.id}/decision`, {
    cookie: second,
    body: { status: "Declined", comment: "Agreed" },
  });
  check(
    "a second officer confirms → 200, sent to Didit",
    confirm.status === 200 && confirm.data?.decision?.state !== "proposed",
    short(confirm),
  );
  const declined = await statusBecomes(c.id, "Declined");
  check("the clone is Declined at Didit", !!declined);

  const c2 = await clone();
  await http("POST", `/api/imports/${c2.id}/decision`, { cookie: officer, body: { status: "Approved" } });
  const rejected = await http("POST", `/api/imports/${c2.id}/decision/reject`, {
    cookie: second,
    body: { comment: "The address is outdated" },
  });
  check(
    "a second officer rejects the proposal → 200",
    rejected.status === 200 && !rejected.data?.pendingProposal,
    short(rejected),
  );
  const again = await http("POST", `/api/imports/${c2.id}/decision/reject`, {
    cookie: second,
    body: { comment: "twice" },
  });
  check("rejecting with no proposal → 409", again.status === 409 && isEnvelope(again), short(again));
  await http("POST", `/api/imports/${c2.id}/decision`, { cookie: officer, body: { status: "Approved" } });
  const withdrawn = await http("POST", `/api/imports/${c2.id}/decision/reject`, {
    cookie: officer,
    body: { comment: "I withdraw it" },
  });
  check("the proposer withdraws → 200", withdrawn.status === 200, short(withdrawn));
  const hist = await http("GET", `/api/imports/${c2.id}`, { cookie: auditor });
  check(
    "the decisions read rejected then withdrawn",
    JSON.stringify(hist.data?.decisions?.map((d) => d.state).sort()) ===
      JSON.stringify(["rejected", "withdrawn"]),
    hist.data?.decisions?.map((d) => d.state),
  );
  const off = await http("PATCH", `/api/partners/${payFromBank.id}`, {
    cookie: partnerships,
    body: { requireFourEyes: false },
  });
  check("four eyes off again", off.status === 200, short(off));
}

// ---------------------------------------------------------------------------------------------
section("a Didit-side failure leaks nothing");
{
  const c = await clone();
  const del = await http("DELETE", `/sandbox/v3/session/${c.cloneSessionId}/delete/`, {
    headers: { "x-api-key": payDemo.api_key },
  });
  check("the clone deleted at the sandbox", del.status === 204, short(del));
  const r = await http("POST", `/api/imports/${c.id}/decision`, {
    cookie: officer,
    body: { status: "Approved", comment: "ok" },
  });
  const msg = r.data?.error?.message ?? "";
  check(
    "the decision is refused with 4xx/502, envelope",
    r.status >= 400 && r.status !== 500 && isEnvelope(r),
    short(r),
  );
  check(
    "the message names no URL, key, Didit body or stack",
    !/https?:\/\/|sandbox|x-api-key|detail|Error:|at \w+ \(|\{"/i.test(msg) &&
      !needles.some((n) => r.text.includes(n)) &&
      !r.text.includes(c.cloneSessionId.replace(/-/g, "")),
    r.text,
  );
  console.log(`   ${r.status} ${msg}`);
  const page = await http("GET", `/api/imports/${c.id}`, { cookie: officer });
  check(
    "the review page shows the clone unavailable, without Didit's words",
    page.status === 200 &&
      page.data?.clone?.available === false &&
      !/https?:\/\//.test(page.data?.clone?.message ?? ""),
    page.data?.clone,
  );
  check(
    "the failed decision is recorded with our message",
    page.data?.decisions?.some(
      (d) => d.state === "failed" && d.failureReason && !/https?:\/\//.test(d.failureReason),
    ),
    page.data?.decisions,
  );
}

// ---------------------------------------------------------------------------------------------
section("the partner inbox and an adopted secret");
{
  const unsigned = await http("POST", `/api/partner/v1/inbox/${payFromBank.id}`, {
    body: { type: "handoff.share.v1" },
  });
  check(
    "an unsigned push → 401 invalid_signature",
    unsigned.status === 401 && unsigned.data?.error?.code === "invalid_signature",
    short(unsigned),
  );
  const odd = await http("POST", "/api/partner/v1/inbox/%ff", { body: {} });
  check(
    "a push to /inbox/%ff → 4xx envelope",
    odd.status >= 400 && odd.status < 500 && isEnvelope(odd),
    short(odd),
  );
  const created = await http("POST", "/api/partners", {
    cookie: partnerships,
    body: {
      name: `BB remote console ${Date.now()}`,
      diditApplicationId: randomUUID(),
      applicationId: pay.id,
      direction: "inbound",
      allowedKinds: ["user"],
      deliveryChannel: "manual",
    },
  });
  const pid = created.data?.id ?? created.data?.partner?.id;
  if (created.data?.secret) needles.push(created.data.secret);
  check("an inbound partner created", [200, 201].includes(created.status) && !!pid, short(created));
  const adopted = `whsec_${randomBytes(32).toString("base64")}`;
  needles.push(adopted);
  const seq = await auditTop();
  const r = await http("POST", `/api/partners/${pid}/secret`, {
    cookie: partnerships,
    body: { overlapHours: 0, secret: adopted },
  });
  check(
    "adopting the partner's secret → 201, never answered back",
    r.status === 201 && !r.text.includes(adopted) && !r.text.includes(adopted.slice(6, 30)),
    short(r),
  );
  const audit = await http("GET", "/api/audit?limit=20", { cookie: admin });
  const events = (audit.data?.items ?? []).filter((e) => e.seq > seq);
  check(
    "audited as adopted, without the secret",
    events.some((e) => JSON.stringify(e.data ?? {}).includes("adopted")) && !audit.text.includes(adopted),
    events.map((e) => e.action),
  );
  for (const bad of ["whsec_short", "nope", `whsec_${"A".repeat(40)}\u0000`, `whsec_${"!".repeat(44)}`, 12]) {
    const x = await http("POST", `/api/partners/${pid}/secret`, {
      cookie: partnerships,
      body: { secret: bad },
    });
    check(
      `a bad adopted secret ${JSON.stringify(bad).slice(0, 20)} → 422`,
      x.status === 422 &&
        isEnvelope(x) &&
        (String(bad).length < 12 || !x.text.includes(String(bad).slice(6))),
      short(x),
    );
  }
  // The adopted secret signs the partner's pushes: a push signed with it is past the signature.
  const body = JSON.stringify({ type: "handoff.share.v1" });
  const signed = await http("POST", `/api/partner/v1/inbox/${pid}`, {
    body,
    headers: { "content-type": "application/json", ...partnerHeaders(pid, adopted, body) },
  });
  check(
    "a push signed with the adopted secret gets past the signature (4xx, not 401)",
    signed.status !== 401 && signed.status < 500,
    short(signed),
  );
}

// ---------------------------------------------------------------------------------------------
section("no 5xx, no secrets in any response");
{
  const fives = bodies.filter((b) => b.status >= 500 && !b.path.startsWith("/sandbox"));
  check(
    `no 5xx in ${bodies.length} responses`,
    fives.length === 0,
    fives.map((b) => `${b.method} ${idOf(b.path)} ${b.status} ${b.text.slice(0, 100)}`),
  );
  const leaks = [];
  for (const b of bodies) {
    if (b.path.startsWith("/sandbox") || (b.path === "/api/users" && b.method === "POST")) continue;
    if (/\/api\/partners$/.test(b.path) && b.method === "POST") continue;
    for (const n of needles) if (n && b.text.includes(n)) leaks.push(`${b.method} ${idOf(b.path)}`);
    if (/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./.test(b.text))
      leaks.push(`${b.method} ${idOf(b.path)} (a token)`);
  }
  check("no API key, secret, password or token in the responses", leaks.length === 0, leaks);
  writeFileSync(process.env.BB_NEEDLES ?? "/tmp/h6/needles.json", JSON.stringify(needles, null, 1));
}

finish(process.env.BB_RESULTS ?? "/tmp/h6/results.json");
