import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

/** The fence is a lint rule, not a habit: these files would be refused by `npm run lint`. */
const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

// The first lint loads ESLint's whole configuration (its plugins and parsers): seconds on a busy machine.
describe("the sandbox fence (eslint no-restricted-imports)", { timeout: 60_000 }, () => {
  beforeAll(async () => {
    await eslint.calculateConfigForFile("lib/server/services/sharing/index.ts");
  }, 60_000);

  const importSandbox =
    'import { listSessions } from "@/lib/server/sandbox/sessions";\nexport const x = listSessions;\n';

  it.each([
    "lib/server/services/sharing/index.ts",
    "lib/server/didit/client.ts",
    "app/api/shares/route.ts",
    "components/sessions/picker.tsx",
    "lib/server/services/sharing/shares.int.test.ts",
  ])("refuses a product file importing the sandbox: %s", async (file) => {
    const messages = await restrictedImports(file, importSandbox);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/must not import the Didit sandbox/);
  });

  it("refuses relative and app-route imports of the sandbox from product code", async () => {
    expect(
      await restrictedImports(
        "lib/server/services/x.ts",
        'import { a } from "../sandbox/sessions";\nexport { a };\n',
      ),
    ).toHaveLength(1);
    expect(
      await restrictedImports(
        "app/api/x/route.ts",
        'import { GET as g } from "@/app/sandbox/v3/sessions/route";\nexport const GET = g;\n',
      ),
    ).toHaveLength(1);
  });

  it("lets the composition root and the sandbox itself import the sandbox", async () => {
    expect(await restrictedImports("lib/server/boot.ts", importSandbox)).toEqual([]);
    expect(await restrictedImports("app/sandbox/v3/sessions/route.ts", importSandbox)).toEqual([]);
    expect(await restrictedImports("lib/server/sandbox/admin.ts", importSandbox)).toEqual([]);
  });

  it("refuses the sandbox importing product services", async () => {
    const messages = await restrictedImports(
      "lib/server/sandbox/sessions.ts",
      'import { createUser } from "@/lib/server/services/access/users";\nexport const x = createUser;\n',
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/must not import Handoff's product code/);
  });
});
