import "server-only";

/** The share queues: push delivery (`sharing/delivery.ts` runs it) and the expiry at a token's `exp`. */
export const DELIVERY_QUEUE = "shares.delivery";
export const EXPIRY_QUEUE = "shares.expire";
