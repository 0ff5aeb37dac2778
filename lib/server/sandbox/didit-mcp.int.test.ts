import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { testDriver } from "@/test/database";
import { sandboxHttpSuite, type TestApp } from "@/test/sandbox-fixtures";

/**
 * Didit's own MCP server (@didit-protocol/mcp-server, a devDependency) pointed at the sandbox: its
 * webhook tools must read the sandbox's answers as they read Didit's.
 */

const require = createRequire(import.meta.url);
const MCP_BIN = path.join(
  path.dirname(require.resolve("@didit-protocol/mcp-server/package.json")),
  "dist/index.js",
);

const sandbox = sandboxHttpSuite();
let app: TestApp;

beforeAll(async () => {
  app = await sandbox.api.newApp("recipe", "MCP");
});

type RpcAnswer = { id: number; result?: { content: { type: string; text: string }[]; isError?: boolean } };

/** One MCP session over stdio: initialize, then each tool call in turn; answers by request id. */
async function mcp(calls: { name: string; arguments: Record<string, unknown> }[]): Promise<RpcAnswer[]> {
  const child = spawn(process.execPath, [MCP_BIN], {
    env: {
      NODE_ENV: "test",
      DIDIT_API_KEY: app.key,
      DIDIT_API_BASE_URL: `${sandbox.server.origin}/sandbox/v3`,
    },
    stdio: ["pipe", "pipe", "ignore"],
  });
  const answers = new Map<number, RpcAnswer>();
  const done = new Promise<void>((resolve, reject) => {
    let buffer = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (!line) continue;
        const message = JSON.parse(line) as RpcAnswer;
        if (typeof message.id === "number") answers.set(message.id, message);
        if (answers.size === calls.length + 1) resolve();
      }
    });
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`MCP server exited with ${code}`)));
  });
  const send = (message: object) => child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`);
  send({
    id: 0,
    method: "initialize",
    params: {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "handoff-test", version: "1" },
    },
  });
  send({ method: "notifications/initialized" });
  calls.forEach((params, i) => send({ id: i + 1, method: "tools/call", params }));
  try {
    await done;
  } finally {
    child.kill();
  }
  return calls.map((_, i) => answers.get(i + 1)!);
}

const toolJson = (answer: RpcAnswer) => {
  expect(answer.result?.isError ?? false, answer.result?.content[0]?.text).toBe(false);
  return JSON.parse(answer.result!.content[0]!.text) as unknown;
};

describe(`Didit's MCP server against the sandbox (${testDriver()})`, () => {
  it("lists created destinations (oldest first, no secrets) and reads one with its secret", async () => {
    const created: { uuid: string; secret_shared_key: string }[] = [];
    for (const url of ["https://hooks.example.com/first", "https://hooks.example.com/second"]) {
      const res = await sandbox.api.call("POST", "/sandbox/v3/webhook/destinations/", {
        key: app.key,
        body: { label: "Console", url, subscribed_events: ["status.updated"] },
      });
      expect(res.status).toBe(201);
      created.push(res.body as { uuid: string; secret_shared_key: string });
    }
    const [list, one] = await mcp([
      { name: "didit_list_webhook_destinations", arguments: {} },
      { name: "didit_get_webhook_destination", arguments: { destination_uuid: created[1]!.uuid } },
    ]);
    const rows = toolJson(list!) as { uuid: string; url: string }[];
    expect(Array.isArray(rows)).toBe(true);
    expect(rows.map((r) => r.uuid)).toEqual(created.map((c) => c.uuid));
    expect(rows.every((r) => !("secret_shared_key" in r))).toBe(true);
    expect(toolJson(one!)).toMatchObject({
      uuid: created[1]!.uuid,
      secret_shared_key: created[1]!.secret_shared_key,
    });
  });
});
