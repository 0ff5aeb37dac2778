export * from "./applications";
export * from "./demo-connections";
export * from "./didit-webhooks";
