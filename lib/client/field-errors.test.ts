import { describe, expect, it, vi } from "vitest";
import { ApiError } from "./api-fetch";
import { showServerFieldErrors } from "./field-errors";

type Values = { name: string; email: string; role: string };

describe("showServerFieldErrors", () => {
  it("puts each named field's first message on it, in the form's order, focusing only the first", () => {
    const setError = vi.fn();
    const error = new ApiError(422, "validation_failed", "Check the fields", {
      fields: { role: ["Unknown role"], email: ["Taken", "Second"], other: ["Not a form field"] },
    });
    expect(showServerFieldErrors<Values>(setError, error, ["name", "email", "role"])).toBe(2);
    expect(setError.mock.calls).toEqual([
      ["email", { message: "Taken" }, { shouldFocus: true }],
      ["role", { message: "Unknown role" }, { shouldFocus: false }],
    ]);
  });

  it("sets nothing for an error without field messages", () => {
    const setError = vi.fn();
    expect(showServerFieldErrors<Values>(setError, new Error("offline"), ["name"])).toBe(0);
    expect(showServerFieldErrors<Values>(setError, new ApiError(500, "internal", "x"), ["name"])).toBe(0);
    expect(setError).not.toHaveBeenCalled();
  });
});
