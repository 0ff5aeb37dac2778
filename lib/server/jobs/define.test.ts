import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineJob } from "./define";
import { PermanentJobError, type JobContext } from "./registry";

const job = {} as JobContext;

describe("defineJob", () => {
  const seen: { shareId: string }[] = [];
  const def = defineJob({
    queue: "test.define",
    payload: z.object({ shareId: z.string().uuid() }),
    retry: { maxAttempts: 3 },
    handler: async (_job, payload) => {
      seen.push(payload);
    },
  });

  it("runs the handler with the parsed payload", async () => {
    await def.run(job, { shareId: "0b5e7f1c-0d7a-4f2c-9b1e-6a1f0c2d3e4f" });
    expect(seen).toEqual([{ shareId: "0b5e7f1c-0d7a-4f2c-9b1e-6a1f0c2d3e4f" }]);
  });

  it("makes a bad stored payload a dead job naming the queue and the field", async () => {
    const run = def.run(job, { shareId: 42 });
    await expect(run).rejects.toBeInstanceOf(PermanentJobError);
    await expect(def.run(job, {})).rejects.toThrow(/^test\.define: bad payload \(shareId: /);
    expect(seen).toHaveLength(1);
  });

  it("refuses to enqueue a payload its schema rejects, before writing", async () => {
    const tx = { insert: () => expect.unreachable("no row is written") } as never;
    await expect(def.enqueue(tx, { shareId: "nope" })).rejects.toThrow();
  });
});
