import { describe, expect, it } from "vitest";
import { isUniqueViolation, loggableError, sqlState } from "./errors";

class FakeQueryError extends Error {
  constructor(
    readonly query: string,
    readonly params: unknown[],
    readonly cause: unknown,
  ) {
    super(`Failed query: ${query}\nparams: ${params.join(",")}`);
  }
}

describe("database errors", () => {
  it("finds the SQLSTATE in a wrapped driver error", () => {
    const wrapped = new FakeQueryError(
      "insert into users",
      [],
      Object.assign(new Error("dup"), { code: "23505" }),
    );
    expect(sqlState(wrapped)).toBe("23505");
    expect(isUniqueViolation(wrapped)).toBe(true);
    expect(isUniqueViolation(new Error("other"))).toBe(false);
  });

  it("never lets a failed query's parameters reach the log", () => {
    const secret = "sbx_live_key_that_must_not_leak";
    const error = new FakeQueryError("select * from sandbox.api_keys where key_hash = $1", [secret], {
      message: "connection reset",
      code: "08006",
    });
    const logged = JSON.stringify(loggableError(error));
    expect(logged).not.toContain(secret);
    expect(logged).toContain("connection reset");
    expect(logged).toContain("08006");
    const plain = new Error("plain");
    expect(loggableError(plain)).toBe(plain);
  });
});
