export * from "./users";
export * from "./audit";
export * from "./inbound";
export * from "./jobs";
export * from "./sharing";
export * from "./imports";
export * from "./evidence";
export * from "./recalls";
