/**
 * Zod probes for eval (`Function("")`) to compile its parsers; under our CSP the probe is refused
 * and reported as a violation. Parse without it in the browser. Zod keeps its config on
 * `globalThis.__zod_globalConfig` (created by zod if absent, reused if present), so setting the
 * flag there needs none of zod on the pages that have no form.
 */
const scope = globalThis as { __zod_globalConfig?: { jitless?: boolean } };
(scope.__zod_globalConfig ??= {}).jitless = true;

export {};
