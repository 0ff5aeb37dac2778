export * from "./recalls";
