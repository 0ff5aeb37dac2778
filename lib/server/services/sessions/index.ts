export * from "./mirror";
export * from "./sessions";
export * from "./sync";
