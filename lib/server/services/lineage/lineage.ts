import "server-only";

/**
 * The lineage verbs under the module path they had before issue 16 split them: tests of other
 * domains import them from here. New code imports the domain's index
 * (`@/lib/server/services/lineage`) or, inside the domain, the file.
 */
export { getLineage } from "./graph";
export { resolveLineageRef, searchLineage } from "./resolve";
export { EXACT_GROUP_COUNT_UP_TO, GROUP_SAMPLE, MAX_CHILDREN, MAX_HOPS, MAX_NODES } from "./walk";
