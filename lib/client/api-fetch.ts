import type { ErrorCode } from "@/lib/error-codes";

/** The codes an ApiError can carry: the server's table, and the two the browser makes up. */
export type ClientErrorCode = ErrorCode | "network_error" | "http_error";

export type ApiErrorBody = {
  error: { code: string; message: string; details?: unknown; requestId?: string };
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** Whether this is the refusal `code` (checked against the code table, so a typo does not compile). */
  is(code: ClientErrorCode): boolean {
    return this.code === code;
  }

  /** Field messages from a 422/409 envelope, keyed by field name. */
  get fieldErrors(): Record<string, string[]> {
    const fields = (this.details as { fields?: Record<string, string[]> } | undefined)?.fields;
    return fields ?? {};
  }
}

/** The one fetch of the browser: same-origin JSON, our error envelope turned into ApiError. */
export async function apiFetch<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, headers, ...rest } = init;
  const method = (rest.method ?? "GET").toUpperCase();
  // The server refuses a state change not declared JSON (its CSRF defence): one without a body sends {}.
  const payload =
    json !== undefined ? json : rest.body == null && method !== "GET" && method !== "HEAD" ? {} : undefined;
  let response: Response;
  try {
    response = await fetch(path, {
      ...rest,
      credentials: "same-origin",
      headers: {
        accept: "application/json",
        ...(payload !== undefined ? { "content-type": "application/json" } : {}),
        ...headers,
      },
      body: payload !== undefined ? JSON.stringify(payload) : rest.body,
    });
  } catch {
    throw new ApiError(
      0,
      "network_error",
      "Could not reach the server. Check your connection and try again.",
    );
  }
  if (response.status === 204) return undefined as T;
  const body = (await response.json().catch(() => null)) as unknown;
  if (!response.ok) {
    const envelope = body as ApiErrorBody | null;
    if (response.status === 401 && typeof window !== "undefined") {
      const here = window.location.pathname + window.location.search;
      // A full navigation on purpose: the expired session's client state must not survive.
      // eslint-disable-next-line @next/next/no-location-assign-relative-destination
      window.location.assign(`/login?callbackUrl=${encodeURIComponent(here)}`);
    }
    throw new ApiError(
      response.status,
      envelope?.error?.code ?? "http_error",
      envelope?.error?.message ?? `The server answered ${response.status}.`,
      envelope?.error?.details,
      envelope?.error?.requestId ?? response.headers.get("x-request-id") ?? undefined,
    );
  }
  return body as T;
}
