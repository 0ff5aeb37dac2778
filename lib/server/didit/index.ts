import "server-only";
import { getEnv } from "@/lib/env";
import { diditBaseUrl } from "@/lib/server/listen-address";
import { createDiditClient } from "./client";
import type { DiditClient } from "./types";

/**
 * The process's Didit client. Its base URL is resolved on every call (DIDIT_API_BASE_URL, else this
 * instance's sandbox once the server listens, else verification.didit.me); timeouts, retries and
 * the limiter come from DIDIT_TIMEOUT_MS, DIDIT_MAX_RETRIES and DIDIT_RATE_LIMIT_*.
 */

export { createDiditClient, type CreateDiditClientOptions } from "./client";
export { DiditError, DIDIT_ERROR_CODES, type DiditErrorCode, type DiditErrorDetails } from "./errors";
export { normaliseStatus } from "./normalise";
export type * from "./types";

const store = globalThis as unknown as {
  __handoffDiditClient?: DiditClient;
  __handoffDiditOverride?: DiditClient;
};

export function getDiditClient(): DiditClient {
  if (store.__handoffDiditOverride) return store.__handoffDiditOverride;
  if (!store.__handoffDiditClient) {
    const env = getEnv();
    store.__handoffDiditClient = createDiditClient({
      baseUrl: diditBaseUrl,
      timeoutMs: env.DIDIT_TIMEOUT_MS,
      maxRetries: env.DIDIT_MAX_RETRIES,
      limiter: env.DIDIT_RATE_LIMIT_ENABLED
        ? { readsPerMinute: env.DIDIT_RATE_LIMIT_READS, writesPerMinute: env.DIDIT_RATE_LIMIT_WRITES }
        : false,
    });
  }
  return store.__handoffDiditClient;
}

/** Tests: use `client` as the process's Didit client (null: back to the real one, rebuilt from env). */
export function setDiditClientForTests(client: DiditClient | null): void {
  if (client) store.__handoffDiditOverride = client;
  else {
    delete store.__handoffDiditOverride;
    delete store.__handoffDiditClient;
  }
}
