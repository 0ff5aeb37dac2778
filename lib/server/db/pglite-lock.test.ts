import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { acquirePgliteLock, lockFileFor, PgliteLockedError } from "./pglite-lock";

const base = mkdtempSync(path.join(tmpdir(), "handoff-lock-"));
const sleeper = spawn("sleep", ["60"], { stdio: "ignore" });
afterAll(() => {
  sleeper.kill();
});

function holder(dir: string, pid: number) {
  writeFileSync(
    lockFileFor(dir),
    JSON.stringify({ pid, host: hostname(), command: "next start", since: "2026-11-26T09:00:00.000Z" }),
  );
}

describe("PGlite directory lock", () => {
  it("takes a free directory and releases it", () => {
    const dir = path.join(base, "free");
    const release = acquirePgliteLock(dir);
    expect(JSON.parse(readFileSync(lockFileFor(dir), "utf8")).pid).toBe(process.pid);
    release();
    expect(existsSync(lockFileFor(dir))).toBe(false);
  });

  it("refuses a directory held by a live process, naming the holder", () => {
    const dir = path.join(base, "held");
    holder(dir, sleeper.pid!);
    let error: unknown;
    try {
      acquirePgliteLock(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PgliteLockedError);
    expect((error as Error).message).toContain(`process ${sleeper.pid}`);
    expect((error as Error).message).toContain("next start");
  });

  it("reclaims a stale lock left by a dead process", () => {
    const dir = path.join(base, "stale");
    const dead = spawnSync("true").pid;
    holder(dir, dead);
    const release = acquirePgliteLock(dir);
    expect(JSON.parse(readFileSync(lockFileFor(dir), "utf8")).pid).toBe(process.pid);
    release();
  });
});
