import fs from "node:fs";
import path from "node:path";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

/**
 * The service domains' boundary is a lint rule, and the domains form no cycle: both fail here
 * if the rule is loosened or an import closes a loop.
 */
const SERVICES = "lib/server/services";
const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

const domains = fs
  .readdirSync(SERVICES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe("the domain boundary (eslint no-restricted-imports)", { timeout: 60_000 }, () => {
  beforeAll(async () => {
    await eslint.calculateConfigForFile(`${SERVICES}/sharing/index.ts`);
  }, 60_000);

  const deep =
    'import { createShare } from "@/lib/server/services/sharing/shares";\nexport const x = createShare;\n';
  const viaIndex =
    'import { createShare } from "@/lib/server/services/sharing";\nexport const x = createShare;\n';

  it.each([
    "app/api/shares/route.ts",
    "app/(console)/shares/page.tsx",
    "lib/server/http/route.ts",
    "lib/server/boot.ts",
    `${SERVICES}/receiving/inbox.ts`,
    `${SERVICES}/jobs.ts`,
  ])("refuses reaching inside a domain from %s", async (file) => {
    const messages = await restrictedImports(file, deep);
    expect(messages).toEqual([expect.stringMatching(/through its index/)]);
  });

  it("lets pages, routes and other domains import a domain's index", async () => {
    expect(await restrictedImports("app/api/shares/route.ts", viaIndex)).toEqual([]);
    expect(await restrictedImports(`${SERVICES}/reviews/queue.ts`, viaIndex)).toEqual([]);
  });

  it("refuses a domain importing its own index or climbing out with ../", async () => {
    expect(await restrictedImports(`${SERVICES}/sharing/list.ts`, viaIndex)).toEqual([
      expect.stringMatching(/not the domain's own index/),
    ]);
    expect(
      await restrictedImports(
        `${SERVICES}/sharing/list.ts`,
        'import { a } from "../recalls/x";\nexport { a };\n',
      ),
    ).toHaveLength(1);
  });

  it("lets tests beside the code reach inside", async () => {
    expect(await restrictedImports(`${SERVICES}/reviews/queue.int.test.ts`, deep)).toEqual([]);
  });

  it("covers every domain folder", () => {
    const config = fs.readFileSync("eslint.config.mjs", "utf8");
    for (const d of domains) expect(config).toContain(`"${d}"`);
  });
});

/** Imports between domains, read from the source (tests and test kits excluded). */
function domainGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const domain of domains) {
    const edges = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$|\.test-kit\.ts$/.test(entry.name)) {
          const source = fs.readFileSync(full, "utf8");
          for (const m of source.matchAll(/from\s+["']@\/lib\/server\/services\/([\w-]+)/g)) {
            if (m[1] !== domain && domains.includes(m[1]!)) edges.add(m[1]!);
          }
        }
      }
    };
    walk(path.join(SERVICES, domain));
    graph.set(domain, edges);
  }
  return graph;
}

function findCycle(graph: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === "done") return null;
    if (state.get(node) === "open") return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, "done");
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

describe("the domains form no cycle", () => {
  it("finds every domain and no loop between them", () => {
    expect(domains).toEqual(expect.arrayContaining(["access", "sharing", "receiving", "reviews", "recalls"]));
    expect(findCycle(domainGraph())).toBeNull();
  });

  it("would see a loop", () => {
    const graph = new Map([
      ["a", new Set(["b"])],
      ["b", new Set(["c"])],
      ["c", new Set(["a"])],
    ]);
    expect(findCycle(graph)).toEqual(["a", "b", "c", "a"]);
  });
});
