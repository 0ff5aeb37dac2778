/**
 * The reviews domain: the review queue of imported clones, one import under review, assignment,
 * decisions (four eyes) sent to Didit and their confirmation, the page's two sides and media.
 */
export { assignImport, listReviewers } from "./assign";
export { encodeMediaRef } from "./clone-view";
export { CONFIRM_AFTER_MS, CONFIRM_QUEUE, confirmDecision, confirmDecisionJob } from "./confirm";
export { clearReviewDecisionCache, invalidateReviewDecisions } from "./decision-cache";
export { decideImport, rejectProposal } from "./decide";
export { getImportInReview } from "./detail";
export { fetchReviewMedia, type MediaOptions } from "./media";
export { DEFAULT_IMPORT_PAGE, listImports } from "./queue";
export { loadReviewSides, type ReviewImportRef } from "./review-view";
export { diditMeta, syncImportStatus } from "./status";
