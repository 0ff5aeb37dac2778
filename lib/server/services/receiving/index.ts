export * from "./import";
export * from "./inbox";
export * from "./outbound-receipts";
export * from "./pickup";
