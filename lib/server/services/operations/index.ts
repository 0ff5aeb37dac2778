export * from "./analytics";
export * from "./dashboard";
export * from "./health";
export * from "./maintenance";
export * from "./reencrypt-secrets";
