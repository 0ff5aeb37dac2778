import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ServiceContext } from "@/lib/server/kernel";
import { AppError } from "@/lib/server/http/errors";

/** The detail pages' loader: forbidden before anything, 404 for a bad id or a missing record. */

const page = vi.hoisted(() => ({ allowed: true, permissions: [] as string[] }));
const actor = { id: "u-1", email: "officer@handoff.local", name: "Officer", role: "officer" as const };
const db = { fake: "db" };

vi.mock("next/navigation", () => ({
  forbidden: () => {
    throw new Error("forbidden()");
  },
  notFound: () => {
    throw new Error("notFound()");
  },
}));
vi.mock("./page", () => ({
  requirePageActor: (permission: string) => {
    page.permissions.push(permission);
    return Promise.resolve({ actor, allowed: page.allowed });
  },
}));
vi.mock("@/lib/server/db/client", () => ({ getDb: () => Promise.resolve(db) }));

const { loadDetailPage } = await import("./detail-page");

const ID = "0B6F3C2E-9D4A-4E1B-8C7D-2A5F6E8B9C01";

beforeEach(() => {
  page.allowed = true;
  page.permissions = [];
});

describe("loadDetailPage", () => {
  it("loads the record as the signed-in actor, for the id lower-cased", async () => {
    const seen: { ctx: ServiceContext; id: string }[] = [];
    const out = await loadDetailPage("inbox.read", ID, (ctx, id) => {
      seen.push({ ctx, id });
      return Promise.resolve({ the: "detail" });
    });
    expect(out).toEqual({ actor, detail: { the: "detail" } });
    expect(page.permissions).toEqual(["inbox.read"]);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.id).toBe(ID.toLowerCase());
    expect(seen[0]!.ctx).toMatchObject({ db, actor, ip: null, userAgent: null });
    expect(seen[0]!.ctx.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen[0]!.ctx.now()).toBeInstanceOf(Date);
  });

  it("is forbidden() without the permission, before the id is looked at or anything loaded", async () => {
    page.allowed = false;
    const load = vi.fn();
    await expect(loadDetailPage("shares.read", "not-a-uuid", load)).rejects.toThrow("forbidden()");
    expect(page.permissions).toEqual(["shares.read"]);
    expect(load).not.toHaveBeenCalled();
  });

  it("is notFound() for an id that is not a UUID, nothing loaded", async () => {
    const load = vi.fn();
    for (const id of ["", "x", `${ID}0`, ID.slice(1), "../etc/passwd", `${ID.slice(0, -1)}g`]) {
      await expect(loadDetailPage("inbox.read", id, load)).rejects.toThrow("notFound()");
    }
    expect(load).not.toHaveBeenCalled();
  });

  it("turns the load's not_found into notFound() and throws any other error on", async () => {
    await expect(
      loadDetailPage("inbox.read", ID, () => Promise.reject(new AppError("not_found", "No such import."))),
    ).rejects.toThrow("notFound()");
    const conflict = new AppError("conflict", "Something else.");
    await expect(loadDetailPage("inbox.read", ID, () => Promise.reject(conflict))).rejects.toBe(conflict);
    const plain = new Error("database down");
    await expect(loadDetailPage("inbox.read", ID, () => Promise.reject(plain))).rejects.toBe(plain);
  });
});
