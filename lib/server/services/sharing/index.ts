export * from "./delivery";
export * from "./shares";
export * from "./withdraw";
