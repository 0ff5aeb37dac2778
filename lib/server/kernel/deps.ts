import "server-only";
import { getDiditClient, type DiditClient } from "@/lib/server/didit";

/**
 * The one dependency shape of a service verb: `(ctx, input, deps?)`. A test passes its own Didit
 * client here; everything else gets the process's client. Verbs resolve it with `diditOf(deps)`,
 * never by calling `getDiditClient()` themselves.
 */
export type ServiceDeps = { didit?: DiditClient };

export function diditOf(deps: ServiceDeps = {}): DiditClient {
  return deps.didit ?? getDiditClient();
}
