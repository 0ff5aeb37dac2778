import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as mediaRoute from "@/app/api/imports/[id]/media/[ref]/route";
import type { ImportDto } from "@/lib/schemas/imports";
import type { CloneViewDto, ReviewSideDto } from "@/lib/schemas/reviews";
import { seal } from "@/lib/server/crypto/envelope";
import { connectedApplications } from "@/lib/server/db/schema";
import {
  createDiditClient,
  getDiditClient,
  setDiditClientForTests,
  type DiditClient,
} from "@/lib/server/didit";
import type { ServiceContext } from "@/lib/server/kernel";
import { createImport } from "@/lib/server/services/receiving/import";
import { receivedItem } from "@/lib/server/services/receiving/import.test-kit";
import { inboxKit, type InboxKit, type Sender } from "@/lib/server/services/receiving/inbox.test-kit";
import { encodeMediaRef } from "./clone-view";
import { clearReviewDecisionCache } from "./decision-cache";
import { fetchReviewMedia, type MediaOptions } from "./media";
import { loadReviewSides, type ReviewImportRef } from "./review-view";
import { addPartner, connectApp } from "@/lib/server/services/sharing/shares.test-kit";
import { testDriver } from "@/test/database";
import type { Kind, Status } from "@/test/sandbox-fixtures";
import { request, sessionCookie } from "@/test/session";
import { sharingWorld, type SharingWorld } from "@/test/sharing-world";

/**
 * The review page's sides against the sandbox over HTTP: the clone through our key with every
 * media URL rewritten to our media route, Didit's failures as an unavailable side, a sister brand's
 * source through its own key with the differences, and the media route itself.
 */

let w: SharingWorld;
let kit: InboxKit;
let partner: Sender;
let sister: Sender & { row: string };
let cookie: string;
let decisionCalls = 0;

const PNG = [0x89, 0x50, 0x4e, 0x47];

function officerCtx(): ServiceContext {
  return {
    db: w.t.db,
    actor: { id: w.officer.id, email: w.officer.email, name: "Officer", role: "officer" },
    now: () => new Date(),
    requestId: "review-view-test",
    ip: null,
    userAgent: null,
  };
}

/** The product's client against the sandbox, counting decision reads (the media route's cache). */
function countingClient(baseUrl = () => `${w.server.origin}/sandbox`): DiditClient {
  const real = createDiditClient({ baseUrl, limiter: false, maxRetries: 0, timeoutMs: 2_000 });
  return new Proxy(real, {
    get(target, prop, receiver) {
      if (prop === "getDecision") {
        return (...args: Parameters<DiditClient["getDecision"]>) => {
          decisionCalls++;
          return target.getDecision(...args);
        };
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

/** A finished session of `from`'s sandbox application shared with Northwind Bank and imported. */
async function imported(
  from: Sender,
  kind: Kind = "user",
  status: Status = "Approved",
): Promise<{ dto: ImportDto; ref: ReviewImportRef }> {
  const session = await w.api.newSession(from.app, kind, status);
  const item = await receivedItem(w, kit, from, { kind, sessionId: session.session_id });
  const dto = await createImport(officerCtx(), item.id, {});
  expect(dto.state, JSON.stringify(dto)).toBe("imported");
  return {
    dto,
    ref: {
      id: dto.id,
      applicationId: dto.applicationId,
      cloneSessionId: dto.cloneSessionId,
      sourceSessionId: dto.sourceSessionId,
      fromApplicationId: from.app.id,
    },
  };
}

/** A media host that misbehaves on request (redirect chains, wrong types, sizes, hangs). */
async function startUpstream(): Promise<{ origin: string; close: () => Promise<void> }> {
  const png = Buffer.from([...PNG, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
  const hanging: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? "/";
    const redirect = /^\/redirect\/(\d+)$/.exec(path);
    if (redirect) {
      const n = Number(redirect[1]);
      res.writeHead(302, { location: n <= 1 ? "/png" : `/redirect/${n - 1}` }).end();
    } else if (path === "/png") res.writeHead(200, { "content-type": "image/png" }).end(png);
    else if (path === "/pdf") res.writeHead(200, { "content-type": "application/pdf; qs=1" }).end("%PDF-1.4");
    else if (path === "/away") {
      const port = (server.address() as AddressInfo).port;
      res.writeHead(302, { location: `http://localhost:${port}/png` }).end();
    } else if (path === "/html")
      res.writeHead(200, { "content-type": "text/html" }).end("<p>secret page</p>");
    else if (path === "/svg") res.writeHead(200, { "content-type": "image/svg+xml" }).end("<svg/>");
    else if (path === "/error")
      res.writeHead(500, { "content-type": "application/json" }).end('{"detail":"x"}');
    else if (path === "/declared-big") {
      res.writeHead(200, { "content-type": "image/png", "content-length": String(16 * 1024 * 1024) });
      res.write(png);
      hanging.push(res);
    } else if (path === "/chunked") {
      res.writeHead(200, { "content-type": "image/png" });
      for (let i = 0; i < 10; i++) res.write(Buffer.alloc(4096, i));
      res.end();
    } else if (path === "/hang") hanging.push(res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function decisionOf(side: ReviewSideDto): CloneViewDto {
  if (!side.available) throw new Error(`side unavailable: ${side.code} ${side.message}`);
  return side.decision;
}

async function media(importId: string, ref: string, init: { cookie?: string | null; method?: string } = {}) {
  const req = await request(`/api/imports/${importId}/media/${ref}`, {
    method: init.method ?? "GET",
    ...(init.cookie === null ? {} : { cookie: init.cookie ?? cookie }),
  });
  const handler = mediaRoute[(init.method ?? "GET") as "GET" | "HEAD"];
  return handler(req, { params: Promise.resolve({ id: importId, ref }) });
}

const refOf = (url: unknown) => {
  expect(typeof url).toBe("string");
  const m = /^\/api\/imports\/[0-9a-f-]{36}\/media\/([A-Za-z0-9_-]+)$/.exec(url as string);
  expect(m, String(url)).not.toBeNull();
  return m![1]!;
};

beforeAll(async () => {
  w = await sharingWorld();
  // The media route accepts plain http only from the Didit client's own origin: this world's sandbox.
  setDiditClientForTests(countingClient());
  await w.t.db
    .update(connectedApplications)
    .set({ defaultWorkflowUser: w.bank.workflows.user, defaultWorkflowBusiness: w.bank.workflows.business })
    .where(eq(connectedApplications.id, w.bankRow));
  kit = inboxKit(w);
  partner = await kit.newSender();
  // Northwind Pay: one of our own applications, and a push partner of Northwind Bank.
  const payApp = await w.newSandboxApp("Northwind Pay");
  const row = await connectApp(w.t.db, payApp, "Northwind Pay");
  const signer = await addPartner(w.t.db, {
    applicationId: w.bankRow,
    diditApplicationId: payApp.id,
    channel: "push",
    direction: "inbound",
    name: "Northwind Pay (sister)",
  });
  sister = { ...signer, app: payApp, row };
  cookie = await sessionCookie(w.officer, { db: w.t.db });
});
afterAll(() => w?.close());
beforeEach(() => clearReviewDecisionCache());

describe(`review sides (${testDriver()})`, () => {
  it("KYC: the clone through our key, every media URL rewritten to our route; a partner's source stays a partner", async () => {
    const { dto, ref } = await imported(partner, "user");
    const sides = await loadReviewSides(officerCtx(), ref);
    const clone = decisionOf(sides.clone);
    expect(clone).toMatchObject({
      sessionId: dto.cloneSessionId,
      sharedFromSession: dto.sourceSessionId,
      sessionKind: "user",
      status: dto.statusAtImport,
      vendorData: dto.vendorData,
    });
    expect(new Date(clone.createdAt).toISOString()).toBe(clone.createdAt);
    const doc = clone.featureData.id_verifications![0]!;
    expect(typeof doc.full_name).toBe("string");
    const front = refOf(doc.front_image);
    expect(JSON.parse(Buffer.from(front, "base64url").toString())).toEqual([
      "id_verifications",
      0,
      "front_image",
    ]);
    refOf(clone.featureData.liveness_checks![0]!.reference_image);
    refOf(clone.featureData.face_matches![0]!.target_image);
    const text = JSON.stringify(sides);
    expect(text).not.toContain(w.server.origin);
    expect(text).not.toContain("/sandbox/");
    expect(text).not.toMatch(/https?:\/\//);
    expect(sides.source).toEqual({ relation: "partner" });
  });

  it("KYB: registry extract and company documents go through our route too", async () => {
    const { ref } = await imported(partner, "business");
    const clone = decisionOf((await loadReviewSides(officerCtx(), ref)).clone);
    expect(clone.sessionKind).toBe("business");
    expect(clone.featureData.key_people_checks!.length).toBeGreaterThan(0);
    refOf(clone.featureData.registry_checks![0]!.registry_extract);
    for (const d of clone.featureData.document_verifications!) refOf(d.file);
    expect(JSON.stringify(clone)).not.toMatch(/https?:\/\//);
  });

  it("a clone deleted at Didit, a key refused, Didit unreachable, not imported yet: an unavailable side, never a throw", async () => {
    const { dto, ref } = await imported(partner);
    const [bank] = await w.t.db
      .select()
      .from(connectedApplications)
      .where(eq(connectedApplications.id, w.bankRow));
    const caller = { id: bank!.id, apiKeyCiphertext: bank!.apiKeyCiphertext! };

    const notImported = await loadReviewSides(officerCtx(), { ...ref, cloneSessionId: null });
    expect(notImported.clone).toMatchObject({ available: false, code: "not_imported" });

    setDiditClientForTests(countingClient(() => "http://127.0.0.1:9/sandbox"));
    try {
      const down = await loadReviewSides(officerCtx(), ref);
      expect(down.clone.available).toBe(false);
      if (!down.clone.available) {
        expect(["upstream_unavailable", "upstream_timeout"]).toContain(down.clone.code);
        expect(down.clone.message).toMatch(/try again/);
      }
    } finally {
      setDiditClientForTests(countingClient());
    }

    await w.t.db
      .update(connectedApplications)
      .set({ apiKeyCiphertext: seal("not-a-key-didit-knows", w.bankRow) })
      .where(eq(connectedApplications.id, w.bankRow));
    try {
      const refused = await loadReviewSides(officerCtx(), ref);
      expect(refused.clone).toMatchObject({ available: false, code: "key_rejected" });
      if (!refused.clone.available) expect(refused.clone.message).toMatch(/admin/);
    } finally {
      await w.t.db
        .update(connectedApplications)
        .set({ apiKeyCiphertext: bank!.apiKeyCiphertext })
        .where(eq(connectedApplications.id, w.bankRow));
    }

    // A key that no longer decrypts (not Didit's refusal): still a side the page can show.
    await w.t.db
      .update(connectedApplications)
      .set({ apiKeyCiphertext: "v1.not-an-envelope" })
      .where(eq(connectedApplications.id, w.bankRow));
    try {
      const broken = await loadReviewSides(officerCtx(), ref);
      expect(broken.clone.available).toBe(false);
      if (!broken.clone.available) expect(broken.clone.message).not.toContain("not-an-envelope");
    } finally {
      await w.t.db
        .update(connectedApplications)
        .set({ apiKeyCiphertext: bank!.apiKeyCiphertext })
        .where(eq(connectedApplications.id, w.bankRow));
    }

    await getDiditClient().deleteSession(caller, dto.cloneSessionId!);
    const gone = await loadReviewSides(officerCtx(), ref);
    expect(gone.clone).toMatchObject({ available: false, code: "not_found" });
    if (!gone.clone.available) expect(gone.clone.message).toMatch(/deleted/);
    // Its media are gone with it.
    const res = await media(dto.id, encodeMediaRef(["id_verifications", 0, "front_image"]));
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });

  it("a sister brand's source: read through its own key, no difference until its status changes after the share", async () => {
    const { dto, ref } = await imported(sister, "user", "In Review");
    const before = await loadReviewSides(officerCtx(), ref);
    expect(before.source).toMatchObject({
      relation: "sister",
      applicationId: sister.row,
      applicationName: "Northwind Pay",
      differences: [],
    });
    if (before.source.relation !== "sister") throw new Error("not a sister");
    const source = decisionOf(before.source.side);
    expect(source.sessionId).toBe(dto.sourceSessionId);
    expect(source.status).toBe("In Review");
    // The source's media are not served by us: no URL of it reaches the page.
    expect(JSON.stringify(before)).not.toMatch(/https?:\/\//);

    // Northwind Pay approves its session later (with its own key).
    const [pay] = await w.t.db
      .select()
      .from(connectedApplications)
      .where(eq(connectedApplications.id, sister.row));
    await getDiditClient().updateStatus(
      { id: pay!.id, apiKeyCiphertext: pay!.apiKeyCiphertext! },
      dto.sourceSessionId,
      { newStatus: "Approved", comment: "Checked the document again" },
    );
    const after = await loadReviewSides(officerCtx(), ref);
    if (after.source.relation !== "sister") throw new Error("not a sister");
    expect(decisionOf(after.clone).status).toBe("In Review");
    const kinds = after.source.differences.map((d) => d.kind);
    expect(after.source.differences[0]).toEqual({
      path: "status",
      label: "Status",
      kind: "status_changed",
      clone: "In Review",
      source: "Approved",
    });
    expect(kinds).toContain("reviews_added");
    const review = after.source.differences.find((d) => d.kind === "reviews_added");
    expect(review?.source).toMatchObject({ newStatus: "Approved", comment: "Checked the document again" });
  });

  it("a sister removed from the console is a partner again; a deleted source is an unavailable sister side", async () => {
    const { dto, ref } = await imported(sister);
    const [pay] = await w.t.db
      .select()
      .from(connectedApplications)
      .where(eq(connectedApplications.id, sister.row));
    await getDiditClient().deleteSession(
      { id: pay!.id, apiKeyCiphertext: pay!.apiKeyCiphertext! },
      dto.sourceSessionId,
    );
    const sides = await loadReviewSides(officerCtx(), ref);
    expect(decisionOf(sides.clone).sessionId).toBe(dto.cloneSessionId);
    expect(sides.source).toMatchObject({ relation: "sister", differences: [] });
    if (sides.source.relation === "sister") {
      expect(sides.source.side).toMatchObject({ available: false, code: "not_found" });
    }

    await w.t.db
      .update(connectedApplications)
      .set({ deletedAt: new Date() })
      .where(eq(connectedApplications.id, sister.row));
    try {
      expect((await loadReviewSides(officerCtx(), ref)).source).toEqual({ relation: "partner" });
    } finally {
      await w.t.db
        .update(connectedApplications)
        .set({ deletedAt: null })
        .where(eq(connectedApplications.id, sister.row));
    }
  });
});

describe(`GET /api/imports/{id}/media/{ref} (${testDriver()})`, () => {
  it("streams the image Didit gave us with private, inline, nosniff headers; one decision read for a page of images", async () => {
    const { ref } = await imported(partner);
    const clone = decisionOf((await loadReviewSides(officerCtx(), ref)).clone);
    decisionCalls = 0;
    clearReviewDecisionCache();
    const urls = [
      clone.featureData.id_verifications![0]!.front_image,
      clone.featureData.id_verifications![0]!.portrait_image,
      clone.featureData.liveness_checks![0]!.reference_image,
      clone.featureData.face_matches![0]!.source_image,
    ];
    for (const url of urls) {
      const res = await media(ref.id, refOf(url));
      expect(res.status, await res.clone().text()).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/png");
      expect(res.headers.get("cache-control")).toBe("private, no-store");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("cross-origin-resource-policy")).toBe("same-origin");
      expect(res.headers.get("content-disposition")).toBe("inline");
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect([...bytes.slice(0, 4)]).toEqual(PNG);
    }
    expect(decisionCalls).toBe(1);

    // The same bytes as Didit's own URL serves.
    const decision = await w.api.decision(
      w.bank.key,
      ((await loadReviewSides(officerCtx(), ref)).clone as { decision: CloneViewDto }).decision.sessionId,
    );
    const direct = (decision.body as { id_verifications: { front_image: string }[] }).id_verifications[0]!
      .front_image;
    const upstream = new Uint8Array(await (await fetch(direct)).arrayBuffer());
    const ours = new Uint8Array(await (await media(ref.id, refOf(urls[0]))).arrayBuffer());
    expect(Buffer.from(ours).equals(Buffer.from(upstream))).toBe(true);
  });

  it("a ref naming no URL of the clone, garbage and traversal → 404 JSON; signed out → 401; other methods → 405", async () => {
    const { ref } = await imported(partner);
    const expectError = async (res: Response, status: number, code: string) => {
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toMatch(/application\/json/);
      const body = (await res.json()) as { error: { code: string; message: string; requestId: string } };
      expect(body.error.code).toBe(code);
      expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
      return body;
    };
    const refs = [
      encodeMediaRef(["id_verifications", 0, "full_name"]), // a field, not a URL
      encodeMediaRef(["id_verifications", 5, "front_image"]), // no such element
      encodeMediaRef(["id_verifications", 0, "__proto__"]),
      encodeMediaRef(["id_verifications", 0, "constructor"]),
      Buffer.from('{"a":1}').toString("base64url"),
      Buffer.from("not json").toString("base64url"),
      Buffer.from(JSON.stringify(["id_verifications", -1, "front_image"])).toString("base64url"),
      `${encodeMediaRef(["id_verifications", 0, "front_image"])}=`,
      "..",
      "../../etc/passwd",
      "%2e%2e%2f",
      "a".repeat(2000),
      "",
    ];
    for (const bad of refs) await expectError(await media(ref.id, bad), 404, "not_found");
    const front = encodeMediaRef(["id_verifications", 0, "front_image"]);
    await expectError(await media("not-a-uuid", front), 404, "not_found");
    await expectError(await media("00000000-0000-4000-8000-000000000000", front), 404, "not_found");
    await expectError(await media(ref.id, front, { cookie: null }), 401, "unauthenticated");
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      const res = await media(ref.id, front, { method });
      await expectError(res, 405, "method_not_allowed");
    }
    // The good ref still works after all that; HEAD answers its headers without the bytes.
    expect((await media(ref.id, front)).status).toBe(200);
    const head = await media(ref.id, front, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe("image/png");
    expect(head.body).toBeNull();
  });

  it("follows at most 3 redirects within the rules; refuses other hosts over http, non-media types, too large, too slow", async () => {
    const { dto } = await imported(partner);
    const upstream = await startUpstream();
    // Didit's decision names our test server's URL for the document's front image.
    let target = "/png";
    const real = countingClient();
    setDiditClientForTests({
      ...real,
      getDecision: async (caller, id) => {
        const d = await real.getDecision(caller, id);
        d.featureData.id_verifications![0]!.front_image = `${upstream.origin}${target}`;
        return d;
      },
    });
    const front = encodeMediaRef(["id_verifications", 0, "front_image"]);
    const get = async (path: string, options: MediaOptions = {}) => {
      target = path;
      clearReviewDecisionCache();
      return fetchReviewMedia(officerCtx(), dto.id, front, { diditOrigin: upstream.origin, ...options });
    };
    try {
      const ok = await get("/redirect/3");
      expect(ok.status).toBe(200);
      expect([...new Uint8Array(await ok.arrayBuffer()).slice(0, 4)]).toEqual(PNG);
      expect((await get("/pdf")).headers.get("content-type")).toBe("application/pdf");
      await expect(get("/redirect/4")).rejects.toMatchObject({ code: "upstream_error" });
      await expect(get("/away")).rejects.toMatchObject({ code: "upstream_error" });
      await expect(get("/html")).rejects.toMatchObject({ code: "upstream_error" });
      await expect(get("/svg")).rejects.toMatchObject({ code: "upstream_error" });
      await expect(get("/missing")).rejects.toMatchObject({ code: "not_found" });
      await expect(get("/error")).rejects.toMatchObject({ code: "upstream_error" });
      await expect(get("/declared-big")).rejects.toMatchObject({ code: "upstream_error" });
      await expect(get("/png", { diditOrigin: "http://didit.invalid" })).rejects.toMatchObject({
        code: "upstream_error",
      });
      // Too large without a length: the stream stops at the limit.
      const chunked = await get("/chunked", { maxBytes: 10_000 });
      await expect(chunked.arrayBuffer()).rejects.toThrow();
      await expect(get("/hang", { timeoutMs: 300 })).rejects.toMatchObject({ code: "upstream_timeout" });
      // Through the route: the envelope, never Didit's body.
      target = "/html";
      clearReviewDecisionCache();
      const res = await media(dto.id, front);
      expect(res.status).toBe(502);
      expect(JSON.stringify(await res.json())).not.toContain("secret page");
    } finally {
      setDiditClientForTests(countingClient());
      await upstream.close();
    }
  });
});
