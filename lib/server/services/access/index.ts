export * from "./account";
export * from "./auth";
export * from "./user-sessions";
export * from "./users";
