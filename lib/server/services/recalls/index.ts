export {
  raiseRecall,
  recallForStatus,
  recallTriggerOf,
  RECALL_REASONS,
  type RaisedRecall,
  type RaiseRecallInput,
} from "./raise";
export {
  classifyRecallAnswer,
  enqueueRecallPush,
  recallBody,
  recallMessageId,
  recallPushJob,
  sendRecallNotice,
  RECALL_MAX_ATTEMPTS,
  RECALL_PUSH_TIMEOUT_MS,
  RECALL_QUEUE,
} from "./push";
export { markNoticeDone, retryNotice } from "./tasks";
export { applyInboundRecall, receiveRecall, recallLateImport, type InboundRecallInput } from "./receive";
export { getRecall, listRecalls, recallOfShare } from "./read";
