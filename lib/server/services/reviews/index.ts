export * from "./review-diff";
export * from "./review-view";
export * from "./reviews";
