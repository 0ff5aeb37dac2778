export {
  canReadNames,
  markMirrorDeleted,
  mirrorSearchText,
  subjectOf,
  toSubject,
  upsertMirrorClone,
  upsertMirrorFromDecision,
  upsertMirrorRows,
  type MirrorClone,
} from "./mirror";
export {
  foldedTextMatch,
  getSession,
  listSessions,
  MIN_NAME_TERM,
  numberPrefixRanges,
  toSessionListItem,
} from "./sessions";
export {
  enqueueSessionSync,
  runSessionSyncJob,
  runSessionSyncTick,
  sessionSyncJob,
  sessionSyncTickJob,
  SYNC_INTERVAL_MS,
  SYNC_OVERLAP_MS,
  SYNC_PAGE_SIZE,
  SYNC_QUEUE,
  SYNC_TICK_QUEUE,
  type SyncMode,
  type SyncRunOptions,
} from "./sync";
