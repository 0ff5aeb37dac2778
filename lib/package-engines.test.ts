import { readFileSync } from "node:fs";
import path from "node:path";
import semver from "semver";
import { describe, expect, it } from "vitest";

type LockEntry = { engines?: { node?: string } | string[]; os?: string[]; cpu?: string[] };

const root = path.resolve(import.meta.dirname, "..");
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
  engines: { node: string };
};
const lock = JSON.parse(readFileSync(path.join(root, "package-lock.json"), "utf8")) as {
  packages: Record<string, LockEntry>;
};

/** A package built for another platform is never installed here, so its `engines` cannot bind us. */
function installableHere(entry: LockEntry): boolean {
  const fits = (list: string[] | undefined, value: string) =>
    !list || list.some((v) => (v.startsWith("!") ? v.slice(1) !== value : v === value));
  return fits(entry.os, process.platform) && fits(entry.cpu, process.arch);
}

describe("package.json engines", () => {
  it("is a valid range that the Node running the tests satisfies", () => {
    expect(semver.validRange(pkg.engines.node)).not.toBeNull();
    expect(semver.satisfies(process.version, pkg.engines.node)).toBe(true);
  });

  it("promises no Node version that an installed dependency refuses (npm ci would warn EBADENGINE)", () => {
    const refused = Object.entries(lock.packages)
      .filter(([name, entry]) => name && installableHere(entry))
      .flatMap(([name, entry]) => {
        const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
        if (!range || !semver.validRange(range)) return [];
        return semver.subset(pkg.engines.node, range) ? [] : [`${name} needs node ${range}`];
      });
    expect(refused).toEqual([]);
  });
});
