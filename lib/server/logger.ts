import "server-only";
import pino from "pino";
import { getEnv } from "@/lib/env";

const REDACT = [
  "password",
  "*.password",
  "passwordHash",
  "*.passwordHash",
  "token",
  "*.token",
  "share_token",
  "*.share_token",
  "apiKey",
  "*.apiKey",
  "api_key",
  "*.api_key",
  "secret",
  "*.secret",
  "headers.authorization",
  "headers.cookie",
  'headers["x-api-key"]',
  'headers["set-cookie"]',
  "*.headers.authorization",
  "*.headers.cookie",
  '*.headers["x-api-key"]',
  "authorization",
  "cookie",
  '["x-api-key"]',
];

const store = globalThis as unknown as { __handoffLogger?: pino.Logger };

export function getLogger(): pino.Logger {
  store.__handoffLogger ??= pino({
    level: getEnv().LOG_LEVEL,
    base: { app: "handoff" },
    redact: { paths: REDACT, censor: "[redacted]" },
  });
  return store.__handoffLogger;
}
