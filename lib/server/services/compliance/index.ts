export * from "./erasure";
export * from "./evidence-verify";
export * from "./evidence";
export * from "./retention";
export * from "./signing-keys";
