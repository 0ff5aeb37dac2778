export { getLineage } from "./graph";
export { resolveLineageRef, searchLineage } from "./resolve";
export { EXACT_GROUP_COUNT_UP_TO, GROUP_SAMPLE, MAX_CHILDREN, MAX_HOPS, MAX_NODES } from "./walk";
