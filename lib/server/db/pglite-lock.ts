import "server-only";
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";

/**
 * PGlite does not lock its data directory, and two processes writing one directory silently lose
 * rows. Handoff holds `<dir>.lock` (pid, host, command) while the directory is open; a lock left by
 * a dead process on this host is reclaimed.
 */
type LockHolder = { pid: number; host: string; command: string; since: string };

export class PgliteLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `The embedded database ${dir} is in use by process ${holder.pid} on ${holder.host} ` +
        `(${holder.command}, since ${holder.since}). Stop that process, or point PGLITE_DIR elsewhere.`,
    );
    this.name = "PgliteLockedError";
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readHolder(file: string): LockHolder | null {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as LockHolder;
  } catch {
    return null;
  }
}

export function lockFileFor(dir: string): string {
  return path.join(path.dirname(dir), `${path.basename(dir)}.lock`);
}

/** Takes the lock or throws PgliteLockedError; returns the release function. */
export function acquirePgliteLock(dir: string): () => void {
  const file = lockFileFor(dir);
  mkdirSync(path.dirname(file), { recursive: true });
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    command: process.argv.slice(1, 3).join(" ") || "node",
    since: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o600);
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      const release = () => {
        const holder = readHolder(file);
        if (holder?.pid === me.pid && holder.host === me.host) {
          try {
            unlinkSync(file);
          } catch {
            /* already gone */
          }
        }
      };
      process.once("exit", release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = readHolder(file);
      if (holder === null) {
        // Being written by another process right now, or garbage: look again shortly.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        if (attempt < 4) continue;
        unlinkSync(file);
        continue;
      }
      if (holder.host === me.host && holder.pid === me.pid) return () => undefined;
      if (holder.host === me.host && !isAlive(holder.pid)) {
        try {
          unlinkSync(file);
        } catch {
          /* another process reclaimed it first */
        }
        continue;
      }
      throw new PgliteLockedError(dir, holder);
    }
  }
  throw new Error(`Could not take the lock on ${file}`);
}
