export * from "./lineage";
