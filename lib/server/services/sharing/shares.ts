import "server-only";

/**
 * The share verbs under the module path they had before issue 16 split them (create, list,
 * revoke, reveal, expire): `./delivery` and tests in other domains import them from here. New code
 * imports the domain's index (`@/lib/server/services/sharing`) or, inside the domain, the file.
 */
export { createShare } from "./create";
export { toShareDto } from "./dto";
export { expireDueShares, markExpired } from "./expire";
export { getShare, listShares } from "./list";
export { DELIVERY_QUEUE, EXPIRY_QUEUE } from "./queues";
export { withdrawRefusal } from "./refusals";
export { revealShare } from "./reveal";
export { revokeShare } from "./revoke";
