export * from "./agreement-policy";
export * from "./inbound-messages";
export * from "./partner-api";
export * from "./partners";
export * from "./pickup-schedule";
export * from "./remote-partner";
export * from "./secrets";
